#if canImport(Glibc)
import Glibc
#endif
import CJailShim
import Jail
import Synchronization

/// One bexy-zygote process: the profile's own interpreter, started once with its command line and environment,
/// running libbexyzygote, which forks pre-isolated single-use sandboxes on request (see module.c). It is exec'd
/// fresh, so it holds nothing of this process (no token, no request data); it never runs a job itself.
final class Zygote: @unchecked Sendable {
    /// What an interpreter is initialised with; one zygote per key.
    struct Key: Hashable, Sendable {
        var executable: String
        /// Interpreter options before the script (`-B`).
        var interpreterArguments: [String]
        var environment: [String: String]
    }

    let key: Key
    let pid: pid_t
    private let control: Int32
    /// Read end of the zygote's stdout and stderr (its own diagnostics).
    private let log: Int32
    private let exchange = Mutex<Void>(())

    private init(key: Key, pid: pid_t, control: Int32, log: Int32) {
        self.key = key
        self.pid = pid
        self.control = control
        self.log = log
    }

    /// Start bexy-zygote at `binary` and wait for its interpreter to be ready. (A factory rather than a throwing
    /// initialiser: nothing of the object exists until everything that can fail has succeeded.)
    static func start(_ key: Key, binary: String, readyTimeoutMs: Int32 = 10_000) throws(JailError) -> Zygote {
        var pair: [Int32] = [-1, -1]
        var rc = bj_seqpacket_pair(&pair)
        guard rc == 0 else { throw .system("zygote control socket", errno: -rc) }
        var logPipe: [Int32] = [-1, -1]
        rc = bj_pipe_cloexec(&logPipe)
        guard rc == 0 else {
            close(pair[0])
            close(pair[1])
            throw .system("zygote log pipe", errno: -rc)
        }
        let arguments = [binary, key.executable] + key.interpreterArguments
        let environment = key.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let arena = CPlanArena()
        let fdMap: [Int32] = [-1, logPipe[1], logPipe[1], pair[1]]
        let spawned = withExtendedLifetime(arena) {
            bj_spawn_process(binary, arena.stringArray(arguments), arena.stringArray(environment), fdMap,
                             Int32(fdMap.count))
        }
        close(pair[1])
        close(logPipe[1])
        guard spawned > 0 else {
            close(pair[0])
            close(logPipe[0])
            throw .system("start \(binary)", errno: -spawned, hint: "build it with `swift build --product bexy-zygote`"
                          + " or set BEXY_WARM=0")
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let controlFD = pair[0]
        let ready = Syscall.poll(controlFD, timeoutMs: readyTimeoutMs) ?? 0
        var count: Int32 = 0
        let n = ready != 0 ? buffer.withUnsafeMutableBytes {
            bj_receive_message(controlFD, $0.baseAddress, $0.count, nil, 0, &count)
        } : -Int(ETIMEDOUT)
        var magic: UInt32 = 0
        if n >= 4 { withUnsafeMutableBytes(of: &magic) { $0.copyBytes(from: buffer[0..<4]) } }
        guard n > 4, magic == BJ_WIRE_READY else {
            let output = Self.drain(logPipe[0])
            close(controlFD)
            close(logPipe[0])
            Syscall.waitpid(spawned)
            throw JailError(.setupFailed, stage: "start the warm interpreter",
                            message: "bexy-zygote did not become ready"
                                + (output.isEmpty ? "" : ": " + output.split(separator: "\n").suffix(3).joined(separator: " | ")),
                            hint: "check that \(key.executable) matches the python3-dev this bexy was built with, or set BEXY_WARM=0")
        }
        return Zygote(key: key, pid: spawned, control: controlFD, log: logPipe[0])
    }

    deinit {
        stopProcess()
    }

    /// Close the control socket (the zygote exits and its idle sandboxes die with it) and reap it.
    private func stopProcess() {
        close(control)
        close(log)
        Syscall.waitpid(pid)
    }

    /// Whether the zygote process is still there (its control socket has not hung up).
    var isAlive: Bool { Syscall.poll(control, events: 0, timeoutMs: 0) == 0 }

    /// Resident memory of the zygote (shared with its sandboxes until they write), in bytes.
    var residentBytes: Int {
        guard let statm = Syscall.readText("/proc/\(pid)/statm") else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Ask for one sandbox built from `message` (`ZygoteWire.spawnMessage`) with `fds` in the wire's order.
    func spawn(_ message: [UInt8], fds: [Int32], timeoutMs: Int32 = 10_000) throws(JailError) -> JobChild {
        var result: Result<JobChild, JailError> = .failure(.system("zygote spawn", errno: EPROTO))
        exchange.withLock { _ in result = exchangeLocked(message, fds: fds, timeoutMs: timeoutMs) }
        return try result.get()
    }

    /// One spawn request and its reply; the caller holds `exchange`.
    private func exchangeLocked(_ message: [UInt8], fds: [Int32], timeoutMs: Int32) -> Result<JobChild, JailError> {
        let sent = message.withUnsafeBytes { bytes in
            fds.withUnsafeBufferPointer { bj_send_message(control, bytes.baseAddress, bytes.count, $0.baseAddress, Int32(fds.count)) }
        }
        guard sent == 0 else { return .failure(.system("send to bexy-zygote", errno: -sent)) }
        guard let ready = Syscall.poll(control, timeoutMs: timeoutMs), ready != 0 else {
            return .failure(.system("wait for bexy-zygote", errno: ETIMEDOUT))
        }
        var reply = bj_wire_spawn_reply()
        var received: [Int32] = [-1, -1, -1, -1]
        var count: Int32 = 0
        let n = withUnsafeMutableBytes(of: &reply) { bytes in
            received.withUnsafeMutableBufferPointer {
                bj_receive_message(control, bytes.baseAddress, bytes.count, $0.baseAddress, 4, &count)
            }
        }
        guard n == MemoryLayout<bj_wire_spawn_reply>.size else {
            for fd in received.prefix(Int(count)) { close(fd) }
            return .failure(.system("receive from bexy-zygote", errno: n < 0 ? Int32(-n) : EPIPE))
        }
        guard reply.rc == 0, count == 4 else {
            for fd in received.prefix(Int(count)) { close(fd) }
            let step = withUnsafeBytes(of: reply.step) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .failure(JobSetup.spawnError(step: step.isEmpty ? "zygote spawn" : step,
                                                errno: reply.rc < 0 ? -reply.rc : EPROTO))
        }
        return .success(JobChild(pid: reply.pid, pidfd: received[0], errorFD: received[1], statusFD: received[2],
                              lifelineFD: received[3]))
    }

    /// Whatever the zygote wrote to its stdout/stderr so far (non-blocking).
    private static func drain(_ fd: Int32) -> String {
        Syscall.setNonBlocking(fd)
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        while bytes.count < 65536 {
            let n = Syscall.read(fd, into: buffer)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
