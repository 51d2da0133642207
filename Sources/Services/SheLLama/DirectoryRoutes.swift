import Contracts
import Hummingbird
import ServiceHTTP

/// The directory routes (`workspace`, default `default`):
///
/// - `GET /directory?path=`: `{status:"success", path, files:[{name, path, size, modified, type}]}` (default the top).
/// - `POST /directory {path}`: creates it and missing parents; 201 when created, 200 when it existed.
/// - `DELETE /directory?path=&recursive=`: deletes it (only when empty unless `recursive=true`; 409 otherwise).
struct DirectoryRoutes: Sendable {
    let access: WorkspaceAccess

    func register(on router: Router<BasicRequestContext>) {
        router.get("/directory") { request, _ in
            let fields = RequestFields.query(request)
            let workspace = try fields.workspace()
            let path = try fields.path("path", allowTop: true, fallback: "")
            let entries = try access.run(workspace, field: "path") { (space) throws(WorkspaceError) in try space.list(path) }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "path": .string(path.description),
                "files": .array(entries.map(\.json)),
            ]))
        }
        router.post("/directory") { request, _ in
            let fields = try await RequestFields.body(request, limit: 64 * 1024)
            let workspace = try fields.workspace()
            let path = try fields.path("path")
            let created = try access.run(workspace, field: "path") { (space) throws(WorkspaceError) in
                try space.createDirectory(path)
            }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "path": .string(path.description),
                "created": .bool(created),
            ]), status: created ? .created : .ok)
        }
        router.delete("/directory") { request, _ in
            let fields = RequestFields.query(request)
            let workspace = try fields.workspace()
            let path = try fields.path("path")
            let recursive = try fields.bool("recursive", default: false)
            try access.run(workspace, field: "path") { (space) throws(WorkspaceError) in
                try space.deleteDirectory(path, recursive: recursive)
            }
            return try JSONResponse.make(JSONValue.object([
                "status": .string("success"), "workspace": .string(workspace), "path": .string(path.description), "deleted": .bool(true),
            ]))
        }
    }
}
