import Contracts
import FoundationEssentials
import Hummingbird
import ServiceHTTP

/// The file routes of the original contract, confined to a workspace (`workspace`, default `default`):
///
/// - `GET /files?directory=&pattern=`: `{status:"success", workspace, directory, files:[{name, path, size,
///   modified, type}]}`, the entries of `directory` (default the top) whose names match the fnmatch `pattern`
///   (default `*`).
/// - `GET /file?filename=`: `{status:"success", filename, size, encoding, content}`. Binary content is answered,
///   not refused: `encoding` is `utf-8` when the bytes are valid UTF-8 (`content` is the text), else `base64`
///   (`content` is the bytes in base64).
/// - `POST /file {filename, content, overwrite?, encoding?}`: writes atomically (`encoding: "base64"` for bytes);
///   201 when created, 200 when replaced (`overwrite: true`), 409 when it exists and `overwrite` is not true.
/// - `DELETE /file?filename=`: `{status:"success", filename, deleted: true}`.
/// - `POST /rename {from, to}`: renames or moves a file or directory (`{status:"success", from, to}`); 409 when `to`
///   exists, 404 when `from` does not (WebLama's explorer).
struct FileRoutes: Sendable {
    let access: WorkspaceAccess
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("/files") { request, _ in
            let fields = RequestFields.query(request)
            let workspace = try fields.workspace()
            let directory = try fields.path("directory", allowTop: true, fallback: "")
            let pattern = try fields.optionalString("pattern") ?? "*"
            let entries = try access.run(workspace, field: "directory") { (space) throws(WorkspaceError) in
                try space.list(directory, pattern: pattern)
            }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "directory": .string(directory.description),
                "files": .array(entries.map(\.json)),
            ]))
        }
        router.get("/file") { request, _ in
            let fields = RequestFields.query(request)
            let workspace = try fields.workspace()
            let path = try fields.path("filename")
            let bytes = try access.run(workspace, field: "filename") { (space) throws(WorkspaceError) in
                try space.read(path)
            }
            let text = String(validating: bytes, as: UTF8.self)
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "filename": .string(path.description),
                "size": .integer(Int64(bytes.count)), "encoding": .string(text == nil ? "base64" : "utf-8"),
                "content": .string(text ?? Data(bytes).base64EncodedString()),
            ]))
        }
        router.post("/file") { request, _ in
            let fields = try await RequestFields.body(request, limit: maxBodyBytes)
            let workspace = try fields.workspace()
            let path = try fields.path("filename")
            let content = try fields.string("content")
            let overwrite = try fields.bool("overwrite", default: false)
            let bytes: [UInt8]
            switch try fields.optionalString("encoding") ?? "utf-8" {
            case "utf-8", "utf8", "text":
                bytes = Array(content.utf8)
            case "base64":
                guard let data = Data(base64Encoded: content) else {
                    throw ServiceError.invalidField("content", "is not valid base64")
                }
                bytes = Array(data)
            default:
                throw ServiceError.invalidField("encoding", "must be \"utf-8\" or \"base64\"")
            }
            let replaced = try access.run(workspace, field: "filename") { (space) throws(WorkspaceError) in
                try space.write(path, content: bytes, overwrite: overwrite)
            }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "filename": .string(path.description),
                "size": .integer(Int64(bytes.count)), "created": .bool(!replaced),
            ]), status: replaced ? .ok : .created)
        }
        router.post("/rename") { request, _ in
            let fields = try await RequestFields.body(request, limit: 64 * 1024)
            let workspace = try fields.workspace()
            let source = try fields.path("from")
            let destination = try fields.path("to")
            try access.run(workspace, field: "from") { (space) throws(WorkspaceError) in
                try space.rename(source, to: destination)
            }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "from": .string(source.description),
                "to": .string(destination.description),
            ]))
        }
        router.delete("/file") { request, _ in
            let fields = RequestFields.query(request)
            let workspace = try fields.workspace()
            let path = try fields.path("filename")
            try access.run(workspace, field: "filename") { (space) throws(WorkspaceError) in try space.deleteFile(path) }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "filename": .string(path.description),
                "deleted": .bool(true),
            ]))
        }
    }
}
