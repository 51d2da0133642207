import Jail

/// A request the engine has checked and not yet run: its profile resolved and its limits tightened.
///
/// Made by `Engine.prepare` (which gives it its id), run by `Engine.execute(_:cancellation:output:)`; a service prepares a request when it
/// arrives (a bad one is refused at once) and runs it when a sandbox slot is free.
public struct PreparedExecution: Sendable {
    /// The execution's one id, made when the request was admitted: the result's `id`, the audit record's `id`,
    /// and the service's job id.
    public let id: String
    /// The request as submitted.
    public let request: ExecutionRequest
    /// The profile the job runs under.
    public let profile: Profile
    /// The profile's limits after the request's tightening.
    public let limits: ResourceLimits
}
