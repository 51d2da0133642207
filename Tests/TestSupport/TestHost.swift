import Foundation
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Facts about where the tests run, shared by every test target.
public enum TestHost {
    /// The repository's root, from this file's path `<root>/Tests/TestSupport/TestHost.swift`.
    public static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/").map(String.init)
        parts.removeLast(3)
        return "/" + parts.joined(separator: "/")
    }()

    /// True when this host can run sandboxes (root, user namespaces, seccomp, cgroups): the gate of every suite
    /// that runs real jobs.
    public static let canRunSandboxes: Bool = getuid() == 0 && HostFeatures.probe().firstMissingRequirement() == nil

    /// The directory of the running test bundle, where the build also puts the package's executables
    /// (`.build/<triple>/debug/`).
    public static let binaryDirectory: String = {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: runner).deletingLastPathComponent().path
    }()

    /// The package's executable `name` (`bexy`, `loglama`, `apilama`, ...), built next to the test bundle.
    public static func binary(_ name: String) -> String {
        binaryDirectory + "/" + name
    }
}
