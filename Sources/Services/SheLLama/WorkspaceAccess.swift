import Contracts
import ServiceHTTP

/// Runs one workspace operation for a route: opens the named workspace and maps a `WorkspaceError` to the
/// service error that names the request field it came from.
struct WorkspaceAccess: Sendable {
    let store: WorkspaceStore

    func run<T>(_ workspace: String, field: String, _ operation: (Workspace) throws(WorkspaceError) -> T) throws -> T {
        do throws(WorkspaceError) {
            return try operation(try store.open(workspace))
        } catch {
            throw error.serviceError(field: field)
        }
    }
}

extension WorkspaceEntry {
    /// The entry as the routes answer it.
    var json: JSONValue {
        .object(["name": .string(name), "path": .string(path), "size": .integer(Int64(size)),
                 "modified": .string(modified), "type": .string(type)])
    }
}
