import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// What `stop` did with one service.
public struct StopReport: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        /// It exited after SIGTERM (`killed`: it needed SIGKILL after the grace period).
        case stopped(pid: pid_t, killed: Bool)
        /// No pid file: nothing to stop.
        case notRunning
        /// Its pid file named a process that is gone or runs something else: the file was removed, nothing
        /// was signalled.
        case staleRemoved(pid: pid_t?)
        /// It could not be signalled, or survived SIGKILL.
        case failed(pid: pid_t, reason: String)
    }

    public var service: String
    public var outcome: Outcome

    public var isFailure: Bool {
        if case .failed = outcome { return true }
        return false
    }

    public var description: String {
        let head = service.padding(to: 9)
        switch outcome {
        case .stopped(let pid, false): return "\(head) stopped          pid \(pid) exited after SIGTERM"
        case .stopped(let pid, true): return "\(head) stopped          pid \(pid) killed (SIGKILL after the grace period)"
        case .notRunning: return "\(head) not running"
        case .staleRemoved(let pid):
            return "\(head) not running      removed a stale pid file" + (pid.map { " (pid \($0) is gone)" } ?? "")
        case .failed(let pid, let reason): return "\(head) FAILED           pid \(pid): \(reason)"
        }
    }
}

extension Orchestrator {
    /// Stop `services` in reverse order (pass them in start order): SIGTERM to each one's process group, up
    /// to `grace` for it to exit, then SIGKILL; its pid file is removed once it is gone.
    public func stop(_ services: [ServiceDescriptor], grace: Duration = .seconds(10)) async -> [StopReport] {
        var reports: [StopReport] = []
        for service in services.reversed() {
            reports.append(StopReport(service: service.name, outcome: await stop(service.name, grace: grace)))
        }
        return reports
    }

    func stop(_ name: String, grace: Duration) async -> StopReport.Outcome {
        switch state(of: name) {
        case .stopped, .notBuilt:
            return .notRunning
        case .stale(let pid):
            runDirectory.removePid(of: name)
            return .staleRemoved(pid: pid)
        case .running(let record):
            switch await ProcessTermination.terminate(record.pid, grace: grace) {
            case .terminated:
                runDirectory.removePid(of: name)
                return .stopped(pid: record.pid, killed: false)
            case .killed:
                runDirectory.removePid(of: name)
                return .stopped(pid: record.pid, killed: true)
            case .survived(let reason):
                return .failed(pid: record.pid, reason: reason)
            }
        }
    }
}
