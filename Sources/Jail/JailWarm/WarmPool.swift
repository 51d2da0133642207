#if canImport(Glibc)
import Glibc
#endif
import CJailShim
import Jail
import Synchronization

/// Pre-isolated, single-use sandboxes, ready before the job arrives.
///
/// Per interpreter command line and environment, one `Zygote` holds an initialised interpreter and forks
/// sandboxes from it through the same C child path as a cold job (`bexy_spawn.h`): every sandbox gets fresh
/// namespaces, its own root, tmpfs, cgroup and identity slot, rlimits, no capabilities and no_new_privs
/// before it is ready, and its seccomp filter when the job is handed over, before any byte of the job runs.
/// A sandbox runs exactly one job and is destroyed; the next job gets another one.
///
/// The pool adapts per job shape (`WarmShape`): a job that finds no ready sandbox (a miss) raises the shape's
/// target by one, up to `maxIdlePerShape` (and `maxIdle` in total); a shape whose jobs all found one for
/// `idleTimeoutSeconds` lowers it by one; a shape unused for `shapeTimeoutSeconds` keeps none. A ready
/// sandbox older than `idleTimeoutSeconds` is destroyed and replaced. A background thread does the refilling.
///
/// The pool is built over a cold `Sandbox` (it shares its host: slots, cgroups, kernel facts) and never
/// replaces it: whoever runs jobs tries `run` here first and runs the job cold when it returns nil.
public final class WarmPool: @unchecked Sendable {
    public let configuration: WarmPoolConfiguration
    private let host: SandboxHost

    private struct ShapeState {
        var template: JobSpec
        var idle: [WarmSandbox] = []
        var target = 1
        var forking = 0
        var lastUsed: UInt64
        var lastMiss: UInt64
    }

    private struct State {
        var shapes: [WarmShape: ShapeState] = [:]
        var zygotes: [Zygote.Key: Zygote] = [:]
        /// Interpreters that cannot run warm, and why.
        var unusable: [Zygote.Key: String] = [:]
        var counters = WarmPoolStatistics()
        var stopping = false
    }

    private let state = Mutex(State())
    /// Serialises zygote starts (one at a time, never twice for one key).
    private let zygoteStarts = Mutex<Void>(())
    /// Wakes the refill thread: its read end is polled, the write end is non-blocking.
    private let wake: (read: Int32, write: Int32)
    private let refill = Mutex<pthread_t?>(nil)

    /// A pool forking over `sandbox`'s host; it starts refilling at once (nothing is forked before a job or
    /// `prewarm` names a shape).
    public init(configuration: WarmPoolConfiguration, sandbox: Sandbox) {
        self.configuration = configuration
        self.host = sandbox.host
        var fds: [Int32] = [-1, -1]
        _ = bj_pipe_cloexec(&fds)
        wake = (fds[0], fds[1])
        Syscall.setNonBlocking(wake.read)
        Syscall.setNonBlocking(wake.write)
        let thread = BackgroundThread.start { [self] in refillLoop() }
        refill.withLock { $0 = thread }
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Run `job` to completion in a ready (or just forked) warm sandbox; nil when it cannot run warm (not a
    /// script job, or no usable interpreter), and the caller runs it cold. Throws, like `Sandbox.run`, only if
    /// the sandbox could not be set up; everything the program does is in the outcome (`sandbox` says `.warm`).
    public func run(_ job: JobSpec, cancellation: CancellationSignal? = nil,
                    output: OutputHandler? = nil) throws(JailError) -> JailOutcome? {
        guard let sandbox = try take(for: job) else { return nil }
        return try sandbox.run(job, cancellation: cancellation, output: output)
    }

    /// A ready (or just forked) sandbox for `job`, or nil when `job` cannot run warm and must run cold.
    /// Throws when a sandbox could not be made for a job that can (the same errors as the cold path).
    private func take(for job: JobSpec) throws(JailError) -> WarmSandbox? {
        guard let shape = WarmShape(job), let zygote = zygote(for: shape.zygote) else {
            state.withLock { $0.counters.cold += 1 }
            return nil
        }
        let now = Syscall.monotonicNanoseconds()
        let ready: WarmSandbox? = state.withLock { state in
            var entry = state.shapes[shape] ?? ShapeState(template: job, lastUsed: now, lastMiss: now)
            entry.lastUsed = now
            var taken: WarmSandbox?
            while taken == nil, !entry.idle.isEmpty {
                let candidate = entry.idle.removeFirst()
                if candidate.isAlive { taken = candidate } else { state.counters.failures += 1 }
            }
            if taken == nil {
                state.counters.misses += 1
                entry.lastMiss = now
                entry.target = min(entry.target + 1, configuration.maxIdlePerShape)
            } else {
                state.counters.hits += 1
            }
            state.shapes[shape] = entry
            return taken
        }
        signalRefill()
        if let ready { return ready }
        do throws(JailError) {
            return try WarmSandbox.fork(zygote: zygote, shape: shape, template: job, host: host)
        } catch {
            state.withLock { $0.counters.failures += 1 }
            if zygote.isAlive { throw error }
            forget(zygote)
            state.withLock { $0.counters.cold += 1 }
            return nil
        }
    }

    /// Keep a sandbox for jobs shaped like `job` ready before the first one arrives (no job runs). Returns
    /// false if such jobs cannot run warm.
    @discardableResult
    public func prewarm(_ job: JobSpec) -> Bool {
        guard let shape = WarmShape(job), zygote(for: shape.zygote) != nil else { return false }
        let now = Syscall.monotonicNanoseconds()
        state.withLock { state in
            if state.shapes[shape] == nil {
                state.shapes[shape] = ShapeState(template: job, lastUsed: now, lastMiss: now)
            }
        }
        signalRefill()
        return true
    }

    /// The pool's idle cost and counters now.
    public func statistics() -> WarmPoolStatistics {
        var statistics = WarmPoolStatistics()
        var idle: [WarmSandbox] = [], zygotes: [Zygote] = []
        state.withLock { state in
            statistics = state.counters
            statistics.targetIdle = state.shapes.values.reduce(0) { $0 + $1.target }
            idle = state.shapes.values.flatMap(\.idle)
            zygotes = Array(state.zygotes.values)
        }
        statistics.idleSandboxes = idle.count
        statistics.idleMemoryBytes = idle.reduce(0) { $0 + $1.cgroup.currentMemoryBytes() }
        statistics.idleCgroups = idle.reduce(0) { $0 + $1.cgroup.directories.count }
        statistics.zygotes = zygotes.count
        statistics.zygoteResidentBytes = zygotes.reduce(0) { $0 + $1.residentBytes }
        statistics.zygotePids = zygotes.map(\.pid).sorted()
        return statistics
    }

    /// Stop refilling and destroy every ready sandbox and zygote. Jobs already handed over are not affected.
    public func shutdown() {
        state.withLock { $0.stopping = true }
        signalRefill()
        if let thread = refill.withLock({ value -> pthread_t? in
            defer { value = nil }
            return value
        }) {
            pthread_join(thread, nil)
        }
        let (idle, zygotes) = state.withLock { state in
            defer {
                state.shapes = [:]
                state.zygotes = [:]
            }
            return (state.shapes.values.flatMap(\.idle), Array(state.zygotes.values))
        }
        for sandbox in idle { sandbox.discard() }
        _ = zygotes
    }

    // MARK: - zygotes

    /// The running zygote for `key`, started if needed; nil if this interpreter cannot run warm.
    private func zygote(for key: Zygote.Key) -> Zygote? {
        if let running = state.withLock({ $0.zygotes[key] }), running.isAlive { return running }
        return zygoteStarts.withLock { _ -> Zygote? in
            let known = state.withLock { state -> (Zygote?, Bool) in
                (state.zygotes[key], state.unusable[key] != nil || state.stopping)
            }
            if let running = known.0, running.isAlive { return running }
            if let dead = known.0 { forget(dead) }
            if known.1 { return nil }
            do throws(JailError) {
                let started = try Zygote.start(key, binary: configuration.zygotePath)
                state.withLock { $0.zygotes[key] = started }
                return started
            } catch {
                markUnusable(key, error.description)
                return nil
            }
        }
    }

    private func markUnusable(_ key: Zygote.Key, _ reason: String) {
        state.withLock { state in
            state.unusable[key] = reason
            state.counters.unavailableReason = "\(key.executable): \(reason)"
        }
    }

    private func forget(_ zygote: Zygote) {
        state.withLock { state in
            if state.zygotes[zygote.key] === zygote { state.zygotes[zygote.key] = nil }
        }
    }

    // MARK: - refilling

    private func signalRefill() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func refillLoop() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            _ = Syscall.poll(wake.read, timeoutMs: 250)
            _ = read(wake.read, &buffer, buffer.count)
            let (stopping, expired, wanted) = plan()
            for sandbox in expired { sandbox.discard() }
            if stopping { return }
            for (shape, template) in wanted { fork(shape, template: template) }
        }
    }

    /// Under the lock: adapt the targets, take out expired or unneeded sandboxes, and reserve the forks to do.
    private func plan() -> (Bool, [WarmSandbox], [(WarmShape, JobSpec)]) {
        state.withLock { state in
            guard !state.stopping else { return (true, [], []) }
            // Read under the lock: a job may have stamped a shape a moment ago. Ages saturate at 0 all the same.
            let now = Syscall.monotonicNanoseconds()
            func age(_ stamp: UInt64) -> UInt64 { now > stamp ? now - stamp : 0 }
            let idleTimeout = UInt64(configuration.idleTimeoutSeconds) * 1_000_000_000
            let shapeTimeout = UInt64(configuration.shapeTimeoutSeconds) * 1_000_000_000
            var expired: [WarmSandbox] = [], wanted: [(WarmShape, JobSpec)] = []
            var total = state.shapes.values.reduce(0) { $0 + $1.idle.count + $1.forking }
            for (shape, var entry) in state.shapes {
                if age(entry.lastUsed) > shapeTimeout {
                    entry.target = 0
                } else if age(entry.lastMiss) > idleTimeout, entry.target > 1 {
                    entry.target -= 1
                    entry.lastMiss = now
                }
                let (keep, old) = entry.idle.partitioned { age($0.created) <= idleTimeout }
                expired += old
                entry.idle = keep
                while entry.idle.count > entry.target, let extra = entry.idle.popLast() { expired.append(extra) }
                state.counters.recycled += old.count
                total -= old.count
                while entry.idle.count + entry.forking < entry.target, total < configuration.maxIdle {
                    entry.forking += 1
                    total += 1
                    wanted.append((shape, entry.template))
                }
                state.shapes[shape] = entry.target == 0 && entry.idle.isEmpty && entry.forking == 0 ? nil : entry
            }
            return (false, expired, wanted)
        }
    }

    /// Fork one sandbox for `shape` and wait until it is ready, then offer it to the jobs.
    private func fork(_ shape: WarmShape, template: JobSpec) {
        var made: WarmSandbox?
        if let zygote = zygote(for: shape.zygote) {
            do throws(JailError) {
                let sandbox = try WarmSandbox.fork(zygote: zygote, shape: shape, template: template, host: host)
                try sandbox.awaitReady()
                made = sandbox
            } catch {
                state.withLock { $0.counters.failures += 1 }
            }
        }
        let unwanted: WarmSandbox? = state.withLock { state in
            guard var entry = state.shapes[shape] else { return made }
            entry.forking -= 1
            defer { state.shapes[shape] = entry }
            guard let made, !state.stopping, entry.idle.count < entry.target else { return made }
            entry.idle.append(made)
            return nil
        }
        unwanted?.discard()
    }
}

extension Array {
    /// The elements that satisfy `predicate`, and the others, each in order.
    fileprivate func partitioned(_ predicate: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = [], no: [Element] = []
        for element in self {
            if predicate(element) { yes.append(element) } else { no.append(element) }
        }
        return (yes, no)
    }
}
