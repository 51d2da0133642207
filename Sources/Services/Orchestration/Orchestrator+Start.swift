import NIOCore
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// What `start` did with one service.
public struct StartReport: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        /// Spawned, and its `/health` answered 2xx.
        case started(pid: pid_t, url: String)
        /// Its pid file names a live process running its executable: left alone.
        case alreadyRunning(pid: pid_t)
        case notBuilt(reason: String)
        /// It exited, never got healthy, or could not be spawned; `logTail` is the end of its log.
        case failed(reason: String, logTail: [String])
        /// Not tried: a service it depends on is not running.
        case skipped(reason: String)
    }

    public var service: String
    public var outcome: Outcome
    /// Whether a stale pid file was removed first.
    public var removedStalePidFile = false

    /// Whether the service is not running when asked to be: it failed or was skipped.
    public var isFailure: Bool {
        switch outcome {
        case .failed, .skipped: true
        case .started, .alreadyRunning, .notBuilt: false
        }
    }

    /// Whether the service runs after `start` (started now or before).
    var isRunning: Bool {
        switch outcome {
        case .started, .alreadyRunning: true
        case .failed, .skipped, .notBuilt: false
        }
    }

    public var description: String {
        let stale = removedStalePidFile ? " (removed a stale pid file)" : ""
        let head = service.padding(to: 9)
        switch outcome {
        case .started(let pid, let url): return "\(head) started          pid \(pid), \(url) healthy\(stale)"
        case .alreadyRunning(let pid): return "\(head) already running  pid \(pid), left alone"
        case .notBuilt(let reason): return "\(head) not built        \(reason)\(stale)"
        case .skipped(let reason): return "\(head) skipped          \(reason)\(stale)"
        case .failed(let reason, let tail):
            let log = tail.isEmpty ? ["    (its log is empty)"] : tail.map { "    " + $0 }
            return (["\(head) FAILED           \(reason)\(stale); last lines of its log:"] + log)
                .joined(separator: "\n")
        }
    }
}

extension Orchestrator {
    /// Start `services` in order (pass them in start order, as `ServiceSelection` returns them), each
    /// detached, waiting up to `healthTimeout` for its `/health`. Never stops at a failure: the rest are
    /// tried, and a service whose dependency failed or is not running is skipped.
    public func start(_ services: [ServiceDescriptor], healthTimeout: Duration = .seconds(15)) async
        -> [StartReport] {
        do {
            try runDirectory.create()
        } catch {
            return services.map { StartReport(service: $0.name, outcome: .failed(reason: error.description, logTail: [])) }
        }
        var reports: [StartReport] = []
        for service in services {
            // A service that is not built reports that, whatever its dependencies' state.
            if launch(of: service.name) != nil, let reason = blockingDependency(of: service, reports: reports) {
                reports.append(StartReport(service: service.name, outcome: .skipped(reason: reason)))
                continue
            }
            reports.append(await start(service, healthTimeout: healthTimeout))
        }
        return reports
    }

    /// Why `service` cannot start: a dependency that failed or was skipped in this run, or one outside it
    /// that is built but not running. A dependency that is not built does not block.
    func blockingDependency(of service: ServiceDescriptor, reports: [StartReport]) -> String? {
        for dependency in service.dependsOn {
            if let report = reports.first(where: { $0.service == dependency }) {
                switch report.outcome {
                case .failed: return "needs \(dependency), which failed to start"
                case .skipped: return "needs \(dependency), which was skipped"
                case .started, .alreadyRunning, .notBuilt: continue
                }
            }
            switch state(of: dependency) {
            case .running, .notBuilt: continue
            case .stopped, .stale: return "needs \(dependency), which is not running (start it too)"
            }
        }
        return nil
    }

    /// Start one service: leave it alone if it runs, clean a stale pid file, spawn, wait for health.
    func start(_ service: ServiceDescriptor, healthTimeout: Duration) async -> StartReport {
        let name = service.name
        var removedStalePidFile = false
        switch state(of: name) {
        case .running(let record):
            return StartReport(service: name, outcome: .alreadyRunning(pid: record.pid))
        case .stale:
            runDirectory.removePid(of: name)
            removedStalePidFile = true
        case .stopped, .notBuilt:
            break
        }
        guard let (command, path) = launch(of: name) else {
            return StartReport(service: name, outcome: .notBuilt(reason: notBuiltReason(of: name)),
                               removedStalePidFile: removedStalePidFile)
        }
        let pid: pid_t
        do {
            pid = try DetachedProcess.spawn(executable: path, arguments: command.arguments, environment: environment,
                                            logPath: runDirectory.logPath(of: name))
            try runDirectory.writePid(PidRecord(pid: pid, startedAt: Int64(time(nil))), of: name)
        } catch {
            return StartReport(service: name, outcome: .failed(reason: error.description,
                                                                logTail: runDirectory.logTail(of: name)),
                               removedStalePidFile: removedStalePidFile)
        }
        let outcome = await waitUntilHealthy(name, pid: pid, timeout: healthTimeout)
        return StartReport(service: name, outcome: outcome, removedStalePidFile: removedStalePidFile)
    }

    /// Poll `/health` until it answers 2xx; on exit or timeout, stop what is left, reap it, remove its pid
    /// file and report the end of its log.
    func waitUntilHealthy(_ name: String, pid: pid_t, timeout: Duration) async -> StartReport.Outcome {
        let url = url(of: name)
        let deadline = ContinuousClock.now + timeout
        var lastError = "no answer yet"
        var reason: String
        while true {
            if let status = ExitStatus.reapIfExited(pid) {
                reason = "pid \(pid) \(status) before \(url)/health answered"
                break
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero {
                reason = "pid \(pid) not healthy after \(timeout) (\(url)/health: \(lastError)); stopped it"
                await stopChild(pid)
                break
            }
            let probeTimeout = min(remaining, .seconds(1))
            let check = await HealthCheck.probe(
                service: name, url: url,
                timeout: .milliseconds(max(1, Int64(probeTimeout / .milliseconds(1)))))
            if check.active { return .started(pid: pid, url: url) }
            lastError = check.error ?? "unhealthy"
            try? await Task.sleep(for: .milliseconds(100))
        }
        runDirectory.removePid(of: name)
        return .failed(reason: reason, logTail: runDirectory.logTail(of: name))
    }

    /// Terminate a child of this process and reap it (unless it survived SIGKILL: waiting would hang).
    private func stopChild(_ pid: pid_t) async {
        if case .survived = await ProcessTermination.terminate(pid, grace: .seconds(5)) { return }
        _ = ExitStatus.reap(pid)
    }
}

extension String {
    /// `self` padded with spaces to `width` characters.
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
