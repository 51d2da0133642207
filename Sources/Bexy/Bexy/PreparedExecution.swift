import Jail

/// A request the engine has checked and not yet run: its profile resolved and its limits tightened.
///
/// Made by `Engine.prepare`, run by `Engine.execute(_:cancellation:)`; a service prepares a request when it
/// arrives (a bad one is refused at once) and runs it when a sandbox slot is free.
public struct PreparedExecution: Sendable {
    /// The request as submitted.
    public let request: ExecutionRequest
    /// The profile the job runs under.
    public let profile: Profile
    /// The profile's limits after the request's tightening.
    public let limits: ResourceLimits
}
