import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `bexy serve [--host H] [--port P] [--slots N] [--queue N] [--grace S]`: run the BEXY HTTP service.
///
/// The server is its own executable, `bexy-server`, installed next to `bexy` (as git runs `git-<command>`):
/// the HTTP stack stays out of `bexy`, whose start-up time every `bexy exec` pays. `serve` replaces itself with
/// that binary, passing every argument on.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the sandbox over HTTP (runs bexy-server; see bexy-server --help).")

    @Argument(parsing: .captureForPassthrough, help: "Options for bexy-server.")
    var arguments: [String] = []

    func run() throws {
        let server = Self.siblingPath("bexy-server")
        let argv = [server] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        execv(server, cArguments)
        let reason = String(cString: strerror(errno))
        fail("cannot run \(server): \(reason); build and install bexy-server next to bexy "
             + "(swift build --product bexy-server)", code: 2)
    }

    /// `<directory of this executable>/<name>`.
    static func siblingPath(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return name }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/" + name
    }
}
