#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the kernel layer: which stage failed, the errno, and how to fix it.
///
/// `stage` is stable and machine-readable (`"mount /proc"`, `"cgroup v1 memory"`); `message` is one readable
/// line; `hint` says what an operator can do about it. Callers map it to an exit code or an HTTP status.
public struct JailError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable classification, so callers can branch without parsing messages.
    public enum Code: String, Sendable, Codable {
        /// The host lacks a kernel feature a profile requires (fail closed).
        case missingFeature = "missing_feature"
        /// A setup step failed in the parent or in the child before the job's program started.
        case setupFailed = "setup_failed"
        /// The request or profile asked for something invalid.
        case invalidConfiguration = "invalid_configuration"
        /// Every id/cgroup slot is taken by a running job.
        case busy
    }

    public var code: Code
    /// The setup stage that failed, e.g. `"pivot_root"` or `"cgroup v1 memory.limit_in_bytes"`.
    public var stage: String
    /// errno of the failing call, if any.
    public var errno: Int32?
    /// One readable line describing what failed.
    public var message: String
    /// How to fix it.
    public var hint: String?

    public init(_ code: Code, stage: String, errno: Int32? = nil, message: String, hint: String? = nil) {
        self.code = code
        self.stage = stage
        self.errno = errno
        self.message = message
        self.hint = hint
    }

    /// A failed system call in `stage`, described with `strerror`.
    public static func system(_ stage: String, errno: Int32 = Glibc.errno, hint: String? = nil) -> JailError {
        JailError(.setupFailed, stage: stage, errno: errno,
                  message: "\(stage): \(String(cString: strerror(errno)))", hint: hint)
    }

    public var description: String {
        var text = message
        if let hint { text += " (fix: \(hint))" }
        return text
    }
}
