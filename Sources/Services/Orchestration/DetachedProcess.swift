import COrchestration

#if canImport(Glibc)
import Glibc
#endif

/// Starts a service detached from its caller, which does not wait for it and may exit before it:
/// posix_spawn(3) with, in the child,
///
/// 1. a new session (`POSIX_SPAWN_SETSID`): no controlling terminal, and the service leads its own process
///    group, so stopping it can signal every process it started;
/// 2. every signal's default disposition and an empty signal mask (nothing inherited from the caller);
/// 3. stdin `/dev/null`, stdout and stderr appended to its log;
/// 4. every other fd closed (a caller's pipe must not stay open in a daemon);
/// 5. the caller's environment, so it reads the same central `.env`, and the caller's working directory.
public enum DetachedProcess {
    /// Spawn `executable` with `arguments` (argv[0] is `executable`); returns its pid.
    public static func spawn(executable: String, arguments: [String], environment: [String: String],
                             logPath: String) throws(OrchestrationError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        let setup: [(String, Int32)] = [
            ("session flag", posix_spawnattr_setflags(
                &attributes, orch_spawn_flag_setsid() | Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))),
            ("signal defaults", posix_spawnattr_setsigdefault(&attributes, &allSignals)),
            ("signal mask", posix_spawnattr_setsigmask(&attributes, &noSignals)),
            ("stdin /dev/null", posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)),
            ("stdout \(logPath)", posix_spawn_file_actions_addopen(
                &actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o640)),
            ("stderr to stdout", posix_spawn_file_actions_adddup2(&actions, 1, 2)),
            ("close fds from 3", orch_spawn_addclosefrom(&actions, 3)),
        ]
        for (step, result) in setup where result != 0 {
            throw OrchestrationError(.spawn, message: "\(executable): posix_spawn \(step): "
                                     + OrchestrationError.text(ofErrno: result))
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw OrchestrationError(.spawn, message: "cannot start \(executable): "
                                     + OrchestrationError.text(ofErrno: result),
                                     hint: "check that it is executable and that \(logPath) is writable")
        }
        return pid
    }
}
