import Contracts
import Hummingbird
import ServiceHTTP

/// The git routes (the old WebLama history and content calls); every git call runs through BEXY in the
/// workspace's sandbox, as `GitCommand` builds it (`workspace`, default `default`; `path`, default the top,
/// is the repository's directory):
///
/// - `GET /git/status`: `git status --porcelain=v1 --branch`.
/// - `POST /git/init`: `git init`.
/// - `POST /git/commit {message, files?}`: `git add -- files` (all changes, `-A`, without `files`), then
///   `git commit --no-verify -m message`; answers the commit's result with `add` (the add step's result).
/// - `GET /git/log?limit=`: `commits: [{hash, author, email, date, message}]` (newest first, default 50).
/// - `GET /git/diff?filename=`: `git diff --no-ext-diff --no-textconv [-- filename]`.
/// - `GET /git/show?commit=&filename=`: `git show commit[:filename]`; with a filename, `content` is the file
///   as of that commit.
///
/// Each answers like `POST /shell` (`status`, `output`, `error`, `exit_code`, `timed_out`, `result`).
struct GitRoutes: Sendable {
    let shell: ShellRoute
    let git: GitCommand

    func register(on router: Router<BasicRequestContext>) {
        router.get("/git/status") { request, context in
            try await run(["status", "--porcelain=v1", "--branch"], RequestFields.query(request), request, context)
        }
        router.post("/git/init") { request, context in
            try await run(["init", "-q"], RequestFields.body(request, limit: 64 * 1024), request, context)
        }
        router.post("/git/commit") { request, context in
            let fields = try await RequestFields.body(request, limit: 1 << 20)
            let message = try fields.string("message")
            guard !message.isEmpty else { throw ServiceError.invalidField("message", "must not be empty") }
            var add = ["add", "-A"]
            if let files = try fields.stringArray("files") {
                add = ["add", "--"] + (try files.enumerated().map { index, file in
                    do throws(WorkspaceError) {
                        return try WorkspacePath(file).description
                    } catch {
                        throw error.serviceError(field: "files[\(index)]")
                    }
                })
            }
            let added = try await execute(add, fields, request, context)
            guard ShellRoute.answer(added)["status"]?.string == "success" else {
                return try JSONResponse.make(ShellRoute.answer(added, extra: ["step": .string("add")]))
            }
            return try await run(["commit", "--no-verify", "-q", "-m", message], fields, request, context,
                                 extra: ["add": added])
        }
        router.get("/git/log") { request, context in
            let fields = RequestFields.query(request)
            let limit = try fields.positiveInteger("limit", maximum: 1000) ?? 50
            let format = "--pretty=format:%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e"
            let result = try await execute(["log", format, "-n", String(limit)], fields, request, context)
            return try JSONResponse.make(ShellRoute.answer(result, extra: ["commits": Self.commits(result["stdout"]?.string)]))
        }
        router.get("/git/diff") { request, context in
            let fields = RequestFields.query(request)
            var arguments = ["diff", "--no-ext-diff", "--no-textconv", "--no-color"]
            if try fields.optionalString("filename") != nil {
                arguments += ["--", try fields.path("filename").description]
            }
            return try await run(arguments, fields, request, context)
        }
        router.get("/git/show") { request, context in
            let fields = RequestFields.query(request)
            let commit = try fields.string("commit")
            guard Self.isRevision(commit) else {
                throw ServiceError.invalidParameter("commit", "must be a commit name (letters, digits, ._/~^-), "
                                                    + "not starting with '-'")
            }
            var arguments = ["show", "--no-ext-diff", "--no-textconv", "--no-color"]
            var extra: [String: JSONValue] = [:]
            if try fields.optionalString("filename") != nil {
                arguments.append(commit + ":" + (try fields.path("filename").description))
                let result = try await execute(arguments, fields, request, context)
                extra["content"] = result["stdout"] ?? .null
                return try JSONResponse.make(ShellRoute.answer(result, extra: extra))
            }
            return try await run(arguments + [commit], fields, request, context)
        }
    }

    private func execute(_ arguments: [String], _ fields: RequestFields, _ request: Request,
                         _ context: BasicRequestContext) async throws -> JSONValue {
        var execution = try shell.execution(.argv(git.argv(arguments)), fields: fields, cwdField: "path")
        execution.env = GitCommand.environment
        return try await shell.bexy.execute(execution, requester: request.headers[values: ShellRoute.requester].first,
                                            requestID: RequestIdentifier.of(request, context: context))
    }

    private func run(_ arguments: [String], _ fields: RequestFields, _ request: Request, _ context: BasicRequestContext,
                     extra: [String: JSONValue] = [:]) async throws -> Response {
        try JSONResponse.make(ShellRoute.answer(try await execute(arguments, fields, request, context), extra: extra))
    }

    /// `git log`'s records (unit separator between fields, record separator after each).
    static func commits(_ output: String?) -> JSONValue {
        let records = (output ?? "").split(separator: "\u{1e}").map { $0.trimmingPrefix("\n") }
        return .array(records.compactMap { record in
            let parts = record.split(separator: "\u{1f}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5 else { return nil }
            return .object(["hash": .string(parts[0]), "author": .string(parts[1]), "email": .string(parts[2]),
                            "date": .string(parts[3]), "message": .string(parts[4])])
        })
    }

    /// A revision name git cannot take for an option: `[A-Za-z0-9._/~^-]{1,200}`, not starting with `-`.
    static func isRevision(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 200 && !text.hasPrefix("-") && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || Array("._/~^-".utf8).contains(byte)
        }
    }
}
