import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// The run directory (`PYLAMA_RUN_DIR`, default `$HOME/.pylama/run`): for each managed service a
/// `<service>.pid` (its `PidRecord`) and a `<service>.log` (its stdout and stderr, appended across runs).
public struct RunDirectory: Sendable, Equatable {
    public let path: String

    public init(path: String) { self.path = path }

    /// `PYLAMA_RUN_DIR` of `configuration`.
    public init(configuration: PyLamaConfiguration) {
        self.init(path: configuration["PYLAMA_RUN_DIR"] ?? PyLamaConfiguration.defaults()["PYLAMA_RUN_DIR"]!)
    }

    /// What a pid file says.
    public enum PidFile: Sendable, Equatable {
        case absent
        case record(PidRecord)
        /// The file exists but does not hold a valid record.
        case unreadable
    }

    public func pidFilePath(of service: String) -> String { path + "/" + service + ".pid" }

    public func logPath(of service: String) -> String { path + "/" + service + ".log" }

    /// Create the directory and its missing parents (mode 0700).
    public func create() throws(OrchestrationError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw OrchestrationError(.runDirectory, message: "cannot create \(prefix): "
                                         + OrchestrationError.text(ofErrno: errno),
                                         hint: "set PYLAMA_RUN_DIR to a writable directory")
            }
        }
    }

    /// The pid file of `service`.
    public func pidFile(of service: String) -> PidFile {
        let path = pidFilePath(of: service)
        guard access(path, F_OK) == 0 else { return .absent }
        guard let file = try? EnvironmentFile.load(path), let record = PidRecord(file) else { return .unreadable }
        return .record(record)
    }

    /// Write `record` as the pid file of `service`, atomically (temp file, fsync, rename).
    public func writePid(_ record: PidRecord, of service: String) throws(OrchestrationError) {
        do {
            try record.file.write(to: pidFilePath(of: service), mode: 0o644)
        } catch {
            throw OrchestrationError(.pidFile, service: service, message: error.description,
                                     hint: "check that PYLAMA_RUN_DIR (\(path)) is writable")
        }
    }

    /// Remove the pid file of `service`, if there is one.
    public func removePid(of service: String) { unlink(pidFilePath(of: service)) }

    /// The last `count` lines of the log of `service` (empty if it has none).
    public func logTail(of service: String, lines count: Int = 20) -> [String] {
        guard let bytes = FileBytes.read(logPath(of: service), lastBytes: 64 * 1024) else { return [] }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.suffix(count).map(String.init)
    }
}
