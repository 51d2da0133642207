#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process that wrote a `started` record ahead of its job, told apart from every other process that ever ran
/// on any boot: the kernel's boot id, the pid, and the process's start time (so a reused pid is another writer).
///
/// Stored in the spool's `writer` column as `<boot id>/<pid>/<start time in clock ticks since boot>`. The sweep
/// marks a `started` record `interrupted` only when its writer is certainly gone: another boot, no such process,
/// a different start time (the pid was reused), or a zombie. Writers and sweepers must share a pid namespace
/// (they do when they share the spool's host directory without a container in between).
struct SpoolWriter: Equatable, Sendable {
    /// `/proc/sys/kernel/random/boot_id`.
    var bootID: String
    var pid: Int32
    /// Field 22 of `/proc/<pid>/stat`.
    var startTicks: String

    /// This process; nil where `/proc` cannot tell (then its records are never swept by others either).
    static let current: SpoolWriter? = {
        guard let bootID = currentBootID, let stat = ProcStat.read(pid: getpid()) else { return nil }
        return SpoolWriter(bootID: bootID, pid: getpid(), startTicks: stat.startTicks)
    }()

    private static let currentBootID: String? = readFile("/proc/sys/kernel/random/boot_id")
        .map { $0.filter { !$0.isWhitespace } }
        .flatMap { $0.isEmpty ? nil : $0 }

    /// The column's text.
    var text: String { "\(bootID)/\(pid)/\(startTicks)" }

    /// Parses the column's text; nil for anything else.
    init?(text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[1]), !parts[0].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(bootID: String(parts[0]), pid: pid, startTicks: String(parts[2]))
    }

    init(bootID: String, pid: Int32, startTicks: String) {
        self.bootID = bootID
        self.pid = pid
        self.startTicks = startTicks
    }

    /// True only when this writer has certainly exited; false when it runs or when this host cannot tell.
    var isGone: Bool {
        guard let currentBootID = Self.currentBootID else { return false }
        guard bootID == currentBootID else { return true }
        guard let stat = ProcStat.read(pid: pid) else { return kill(pid, 0) != 0 && errno == ESRCH }
        return stat.startTicks != startTicks || stat.state == "Z" || stat.state == "X"
    }

    /// The two fields of `/proc/<pid>/stat` the sweep needs.
    private struct ProcStat {
        var state: Character
        var startTicks: String

        static func read(pid: Int32) -> ProcStat? {
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so fields count from the last ')'.
            guard let text = readFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
            guard fields.count > 19, let state = fields[0].first else { return nil }
            return ProcStat(state: state, startTicks: String(fields[19]))
        }
    }

    /// A small file's whole text, nil if it cannot be read.
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
