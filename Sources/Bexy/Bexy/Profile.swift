import Jail

/// A named sandbox configuration: which interpreter runs, with which environment, limits and seccomp policy.
///
/// Profiles are data (`profiles/<name>.json`, schema in `profiles/README.md`) and are loaded and validated by
/// `ProfileStore`. A loaded `Profile` is complete: every limit is set and the seccomp policy is resolved, so the
/// engine never has to fall back to a default.
public struct Profile: Sendable, Equatable {
    /// The only network mode a profile can ask for today.
    public enum Network: String, Sendable, Equatable, Codable, CaseIterable {
        /// A fresh network namespace with no interfaces except a down loopback: no network at all.
        case none
    }

    /// The profile's name; equal to its file name without `.json`, matching `[a-z0-9_-]+`.
    public var name: String
    /// One human-readable line on what the profile is for.
    public var description: String
    /// Absolute path of the Python interpreter inside the sandbox, e.g. `/usr/bin/python3`.
    public var python: String
    /// Arguments passed to the interpreter before the job's script, e.g. `["-B"]`.
    public var pythonArgs: [String]
    /// The UTS hostname the job sees.
    public var hostname: String
    /// The network mode (only `.none`).
    public var network: Network
    /// The profile's resource limits; a request may only tighten them (see `LimitOverrides`).
    public var limits: ResourceLimits
    /// The job's complete environment; nothing from the caller's environment leaks in.
    public var environment: [String: String]
    /// The name of the seccomp policy, i.e. `profiles/seccomp/<name>.json`.
    public var seccompPolicyName: String
    /// The seccomp policy, read from `seccomp/<seccompPolicyName>.json` when the profile was loaded.
    public var seccomp: SeccompPolicy
    /// Where a workspace command's workspace appears in the job (`workspace` for `/workspace`); nil: the profile
    /// runs no workspace commands.
    public var workspace: RelativePath?

    /// Creates a profile from already-validated parts. `ProfileStore` is the usual way to get one.
    public init(name: String, description: String, python: String, pythonArgs: [String], hostname: String,
                network: Network, limits: ResourceLimits, environment: [String: String],
                seccompPolicyName: String, seccomp: SeccompPolicy, workspace: RelativePath? = nil) {
        self.name = name
        self.description = description
        self.python = python
        self.pythonArgs = pythonArgs
        self.hostname = hostname
        self.network = network
        self.limits = limits
        self.environment = environment
        self.seccompPolicyName = seccompPolicyName
        self.seccomp = seccomp
        self.workspace = workspace
    }
}

extension Profile: Encodable {
    enum CodingKeys: String, CodingKey {
        case name, description, python, hostname, network, limits, environment, workspace
        case pythonArgs = "python_args"
        case seccompPolicyName = "seccomp"
    }

    /// Encodes the profile in its file format (`seccomp` is the policy's name, not the policy itself).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(python, forKey: .python)
        try container.encode(pythonArgs, forKey: .pythonArgs)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(network, forKey: .network)
        try container.encode(seccompPolicyName, forKey: .seccompPolicyName)
        try container.encode(limits, forKey: .limits)
        try container.encode(environment, forKey: .environment)
        try container.encodeIfPresent(workspace.map { "/" + $0.string }, forKey: .workspace)
    }
}

/// The one error type for profiles: which field is wrong, why, and in which file. (A request's overrides are
/// refused with `RequestRefusal`.)
///
/// `field` is a dotted path in the profile's JSON (`"limits.memory_bytes"`, `"environment.LD_PRELOAD"`,
/// `"python_args[0]"`) or `"name"` for a malformed or unknown profile name; it is empty only when the
/// whole file is unreadable or not JSON.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending field, e.g. `"limits.memroy_bytes"`.
    public var field: String
    /// What is wrong with it, e.g. `"unknown field"`.
    public var message: String
    /// The file the error was found in (a profile or a seccomp policy); `nil` when there is none.
    public var path: String?

    /// Creates an error for `field` in the file at `path`.
    public init(field: String, message: String, path: String? = nil) {
        self.field = field
        self.message = message
        self.path = path
    }

    /// `"<path>: <field>: <message>"`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let path { parts.append(path) }
        if !field.isEmpty { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
