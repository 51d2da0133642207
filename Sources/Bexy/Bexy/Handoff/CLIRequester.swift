#if canImport(Glibc)
import Glibc
#endif

/// Who ran `bexy exec`, as its audit record names them: `cli:<user>`.
public enum CLIRequester {
    /// `cli:` and the sudo caller when there is one, else the name of `uid` (`cli:uid-N` when it has none). A handed-off
    /// job passes the uid the socket reported and believes `sudoUser` only from uid 0, as the CLI believes it only
    /// from its own environment.
    public static func name(uid: uid_t, sudoUser: String?) -> String {
        if let sudoUser, uid == 0 { return "cli:" + sudoUser }
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, let found {
            return "cli:" + String(cString: found.pointee.pw_name)
        }
        return "cli:uid-\(uid)"
    }
}
