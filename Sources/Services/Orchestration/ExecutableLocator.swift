#if canImport(Glibc)
import Glibc
#endif

/// Finds a service's executable: first in the directory of the running binary (so a build's `loglama`
/// starts the `bexy` built beside it), then on `PATH`.
public struct ExecutableLocator: Sendable, Equatable {
    /// Directories searched, in order.
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The directory of `/proc/self/exe`, then every directory of `environment["PATH"]`.
    public static func current(environment: [String: String]) -> ExecutableLocator {
        var directories: [String] = []
        if let binary = readSymbolicLink("/proc/self/exe"), let slash = binary.lastIndex(of: "/") {
            directories.append(slash == binary.startIndex ? "/" : String(binary[..<slash]))
        }
        let path = environment["PATH"] ?? ""
        directories += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        return ExecutableLocator(directories: directories)
    }

    /// The first executable regular file called `name` in `directories`, nil if there is none.
    public func locate(_ name: String) -> String? {
        for directory in directories {
            let candidate = (directory.hasSuffix("/") ? directory : directory + "/") + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// readlink(2) of `path`; nil if it is not a readable symbolic link.
    static func readSymbolicLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
