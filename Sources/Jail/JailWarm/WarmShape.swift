import Jail

/// The jobs one warm sandbox can take: everything that is fixed when it is forked (the interpreter, its flags
/// and environment, the limits, the hostname, the seccomp filter). Files, stdin, the script and its arguments
/// arrive with the job.
struct WarmShape: Hashable, Sendable {
    var zygote: Zygote.Key
    var limits: ResourceLimits
    var hostname: String
    var seccompProgram: [UInt8]

    /// The shape of `job`, or nil if it cannot run warm: a plain program (no script), a script that is not one of
    /// its files at the top of the working directory, or a job with a workspace (bound at setup, cold only).
    init?(_ job: JobSpec) {
        guard job.workspace == nil, let script = job.command.script, !script.contains("/"),
              job.files.contains(where: { $0.path.string == script }) else { return nil }
        zygote = Zygote.Key(executable: job.command.interpreter, interpreterArguments: job.command.interpreterFlags,
                            environment: job.environment)
        limits = job.limits
        hostname = job.hostname
        seccompProgram = job.seccomp.program
    }

    /// Every job looks its shape up in the pool: hash the cheap parts (the interpreter, the limits, the program's
    /// length), not the kilobytes of the seccomp program and the environment; `==` still compares them all.
    func hash(into hasher: inout Hasher) {
        hasher.combine(zygote.executable)
        hasher.combine(zygote.interpreterArguments)
        hasher.combine(limits)
        hasher.combine(hostname)
        hasher.combine(seccompProgram.count)
    }
}
