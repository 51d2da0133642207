/// How a job's sandbox was made, as the result's `sandbox` says it: `"cold"` (set up for this job) or `"warm"`
/// (forked and isolated ahead of time from a pre-initialised interpreter); the isolation is the same.
public enum SandboxKind: String, Codable, Sendable, CaseIterable {
    case cold
    case warm
}
