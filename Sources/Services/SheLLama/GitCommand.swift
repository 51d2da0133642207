/// The argv of every git call SheLLama makes, with the overrides that keep a hostile repository's
/// configuration from running anything (defence in depth: git runs in a BEXY sandbox anyway).
///
/// `-c` settings win over the repository's `.git/config`: no hooks (`core.hooksPath=/dev/null`), no fsmonitor,
/// no pager, no external diff or textconv, no editor, no credential helper, no remote protocols; plus the
/// configured author identity. The environment skips the system and global configuration files.
public struct GitCommand: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// `git <overrides> <arguments>`.
    public func argv(_ arguments: [String]) -> [String] {
        var argv = ["git", "--no-pager"]
        let overrides = [
            "core.hooksPath=/dev/null", "core.fsmonitor=", "core.pager=cat", "core.editor=true",
            "core.sshCommand=false", "core.askPass=", "credential.helper=", "diff.external=",
            "protocol.allow=never", "safe.directory=*", "commit.gpgSign=false", "tag.gpgSign=false",
            "user.name=\(name)", "user.email=\(email)", "init.defaultBranch=main",
        ]
        for setting in overrides { argv += ["-c", setting] }
        return argv + arguments
    }

    /// The environment git runs with.
    public static let environment = ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
                                     "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"]
}
