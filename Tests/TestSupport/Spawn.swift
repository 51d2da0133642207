#if canImport(Glibc)
import Glibc
#endif

/// Starts `argv[0]` with `argv` and exactly `environment`, its stdin, stdout and stderr opened from the given
/// paths (stdout and stderr created or truncated), as from a login shell: default signal dispositions and an
/// empty signal mask. (Tests run on worker threads that block most signals, and a spawned child would inherit
/// that mask: SIGTERM would not reach a server.)
///
/// - Returns: `posix_spawn`'s result, 0 or an errno; `pid` is the child's on success.
public func spawnAsFromLoginShell(_ argv: [String], environment: [String: String], stdin: String, stdout: String,
                                  stderr: String, pid: inout pid_t) -> Int32 {
    let cArguments = argv.map { strdup($0) } + [nil]
    let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        cArguments.forEach { free($0) }
        cEnvironment.forEach { free($0) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
}
