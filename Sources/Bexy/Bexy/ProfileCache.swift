import Jail
import Synchronization

/// Parsed profiles by name, each with the exact bytes of its profile file and seccomp policy file it was parsed
/// from: a profile is served from here only while both files still hold those bytes (the store reads them on every
/// call), so an edit takes effect for the next job, and a cached parse is never older than the files.
final class ProfileCache: Sendable {
    /// The seccomp policy file a profile was parsed with.
    struct PolicyFile: Sendable {
        var path: String
        var bytes: [UInt8]
    }

    private struct Entry {
        var bytes: [UInt8]
        var policy: PolicyFile
        var profile: Profile
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The profile parsed from exactly `bytes` and a policy file that still holds what it held then; nil otherwise.
    func profile(named name: String, bytes: [UInt8]) -> Profile? {
        guard let entry = entries.withLock({ $0[name] }), entry.bytes == bytes,
              case .success(let policy) = LocalFile.contents(of: entry.policy.path), policy == entry.policy.bytes
        else { return nil }
        return entry.profile
    }

    func store(_ profile: Profile, bytes: [UInt8], policy: PolicyFile) {
        entries.withLock { $0[profile.name] = Entry(bytes: bytes, policy: policy, profile: profile) }
    }
}
