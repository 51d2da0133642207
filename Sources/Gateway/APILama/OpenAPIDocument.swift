import Hummingbird

/// `GET /api/openapi.json` (open): an OpenAPI 3.1 description of every public route of the gateway and of the
/// service routes it forwards that have a fixed contract (BEXY's execute, jobs, health and profiles; LogLama's logs,
/// audit trail and stats).
///
/// Kept true by `OpenAPIConformanceTests`, which sends real requests and checks each status and the required
/// keys of each body against this document.
enum OpenAPIDocument {
    static func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/openapi.json") { _, _ in
            let buffer = ByteBuffer(string: text)
            return Response(status: .ok,
                            headers: [.contentType: "application/json; charset=utf-8",
                                      .contentLength: String(buffer.readableBytes)],
                            body: .init(byteBuffer: buffer))
        }
    }

    /// The document.
    static let text = """
    {
      "openapi": "3.1.0",
      "info": {
        "title": "APILama, the PyLama gateway",
        "version": "\(APILamaService.version)",
        "description": "One entry point to the PyLama services. /api/bexy/*, /api/loglama/*, /api/shellama/*, /api/getllm/* and /api/pylama/* are forwarded to the service with the prefix stripped. Errors are {status: error, error: {code, message, field?}, request_id}."
      },
      "security": [{"bearer": []}, {"session": []}],
      "paths": {
        "/health": {
          "get": {"summary": "The gateway alone is up", "security": [],
                  "responses": {"200": {"$ref": "#/components/responses/Health"}}}
        },
        "/api/health": {
          "get": {"summary": "The gateway and a live health check of every routed service", "security": [],
                  "responses": {"200": {"description": "healthy when every service is active, else degraded",
                                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EcosystemHealth"}}}}}}
        },
        "/api/openapi.json": {
          "get": {"summary": "This document", "security": [],
                  "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}}}}}
        },
        "/api/session": {
          "post": {"summary": "Exchange a token for an HttpOnly, SameSite=Strict session cookie", "security": [],
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}}}},
                   "responses": {"200": {"description": "signed in; Set-Cookie: apilama_session",
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                                 "400": {"$ref": "#/components/responses/Error"},
                                 "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Sign out: end the session and clear the cookie",
                     "responses": {"200": {"$ref": "#/components/responses/Ok"},
                                   "401": {"$ref": "#/components/responses/Error"},
                                   "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/tokens": {
          "get": {"summary": "List tokens (admin)",
                  "responses": {"200": {"description": "every token, never its secret",
                                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenList"}}}},
                                "401": {"$ref": "#/components/responses/Error"},
                                "403": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "Create a token (admin); it is shown once",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "role"], "properties": {"name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}}}}},
                   "responses": {"201": {"description": "created",
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreatedToken"}}}},
                                 "400": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"},
                                 "409": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/tokens/{name}": {
          "delete": {"summary": "Revoke a token and end its sessions (admin)",
                     "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                     "responses": {"200": {"description": "revoked",
                                           "content": {"application/json": {"schema": {"type": "object", "required": ["status", "name"]}}}},
                                   "403": {"$ref": "#/components/responses/Error"},
                                   "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/execute": {
          "post": {"summary": "Run Python in BEXY's sandbox (user); 200 also when the program fails (success: false)",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteRequest"}}}},
                   "responses": {"200": {"description": "the result, as `bexy exec --json` prints it",
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecutionResult"}}}},
                                 "400": {"$ref": "#/components/responses/Error"},
                                 "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"},
                                 "413": {"$ref": "#/components/responses/Error"},
                                 "429": {"$ref": "#/components/responses/RateLimited"},
                                 "502": {"$ref": "#/components/responses/Error"},
                                 "503": {"$ref": "#/components/responses/Error"},
                                 "504": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/jobs": {
          "post": {"summary": "Queue a Python run in BEXY's sandbox (user) and answer at once; follow it under /api/bexy/jobs/{id}",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteRequest"}}}},
                   "responses": {"202": {"description": "accepted; Location: /jobs/{id}",
                                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                 "400": {"$ref": "#/components/responses/Error"},
                                 "401": {"$ref": "#/components/responses/Error"},
                                 "403": {"$ref": "#/components/responses/Error"},
                                 "413": {"$ref": "#/components/responses/Error"},
                                 "429": {"$ref": "#/components/responses/RateLimited"},
                                 "502": {"$ref": "#/components/responses/Error"},
                                 "503": {"$ref": "#/components/responses/Error"},
                                 "504": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/jobs/{id}": {
          "get": {"summary": "A job's state and, once it ended, its result (kept BEXY_JOB_RETENTION_SECONDS after the end)",
                  "parameters": [{"$ref": "#/components/parameters/JobID"}],
                  "responses": {"200": {"description": "the job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                "404": {"$ref": "#/components/responses/Error"},
                                "503": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Cancel a job (user): a queued one is withdrawn (200), a running one is killed (202 while it stops)",
                     "parameters": [{"$ref": "#/components/parameters/JobID"}],
                     "responses": {"200": {"description": "the job, ended", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                   "202": {"description": "the job, being killed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                                   "403": {"$ref": "#/components/responses/Error"},
                                   "404": {"$ref": "#/components/responses/Error"},
                                   "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/jobs/{id}/events": {
          "get": {"summary": "A job's output as Server-Sent Events: what was printed so far, then `stdout`/`stderr` events as they are produced (data: the text as a JSON string), then one `result` event (data: the result object), then the stream ends",
                  "parameters": [{"$ref": "#/components/parameters/JobID"}],
                  "responses": {"200": {"description": "the event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                                "404": {"$ref": "#/components/responses/Error"},
                                "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/health": {
          "get": {"summary": "BEXY's health and sandbox feature check",
                  "responses": {"200": {"$ref": "#/components/responses/Health"},
                                "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/bexy/profiles": {
          "get": {"summary": "The sandbox profiles",
                  "responses": {"200": {"description": "the profiles, as `bexy profiles` lists them", "content": {"application/json": {"schema": {}}}},
                                "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/loglama/health": {
          "get": {"summary": "LogLama's health",
                  "responses": {"200": {"$ref": "#/components/responses/Health"},
                                "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/loglama/api/logs": {
          "get": {"summary": "Query logs (page, page_size, level, component, search, start_date, end_date, sort_by, sort_direction)",
                  "responses": {"200": {"description": "one page of logs",
                                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LogPage"}}}},
                                "400": {"$ref": "#/components/responses/Error"},
                                "503": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "Send one log record, an array, or {logs: [...]} (user)",
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {}}}},
                   "responses": {"201": {"description": "stored",
                                         "content": {"application/json": {"schema": {"type": "object", "required": ["status", "accepted"]}}}},
                                 "400": {"$ref": "#/components/responses/Error"},
                                 "413": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/loglama/api/logs/clear": {
          "post": {"summary": "Delete logs matching filters (admin)",
                   "responses": {"200": {"description": "deleted",
                                         "content": {"application/json": {"schema": {"type": "object", "required": ["status", "deleted"]}}}},
                                 "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/loglama/api/audit": {
          "get": {"summary": "Query the audit trail (status, profile, requester, since, until, page)",
                  "responses": {"200": {"description": "one page of audit records",
                                        "content": {"application/json": {"schema": {"type": "object", "required": ["records", "page", "pages", "page_size", "total"]}}}},
                                "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/loglama/api/stats": {
          "get": {"summary": "Log counts by level and component, and the date range",
                  "responses": {"200": {"description": "statistics",
                                        "content": {"application/json": {"schema": {"type": "object", "required": ["level_counts", "component_counts", "date_range", "total"]}}}}}}
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "an API token (apilama token create)"},
          "session": {"type": "apiKey", "in": "cookie", "name": "apilama_session", "description": "from POST /api/session; state-changing requests must also send an allowed Origin"}
        },
        "parameters": {
          "JobID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
        },
        "responses": {
          "Error": {"description": "the error envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "RateLimited": {"description": "the token's request rate is exceeded",
                          "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Health": {"description": "up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
          "Ok": {"description": "done", "content": {"application/json": {"schema": {"type": "object", "required": ["status"]}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["status", "error", "request_id"],
                    "properties": {"status": {"const": "error"},
                                   "error": {"type": "object", "required": ["code", "message"],
                                             "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}},
                                   "request_id": {"type": "string"}}},
          "Role": {"type": "string", "enum": ["admin", "user", "viewer"]},
          "Health": {"type": "object", "required": ["status", "service", "version"]},
          "EcosystemHealth": {"type": "object", "required": ["status", "service", "version", "services"],
                              "properties": {"status": {"enum": ["healthy", "degraded"]},
                                             "services": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceHealth"}}}},
          "ServiceHealth": {"type": "object", "required": ["name", "route", "url", "active"],
                            "properties": {"name": {"type": "string"}, "route": {"type": "string"}, "url": {"type": "string"},
                                           "active": {"type": "boolean"}, "http_status": {"type": "integer"},
                                           "latency_ms": {"type": "number"}, "error": {"type": "string"}}},
          "Session": {"type": "object", "required": ["status", "name", "role", "expires_at"]},
          "TokenList": {"type": "object", "required": ["tokens"],
                        "properties": {"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/TokenInfo"}}}},
          "TokenInfo": {"type": "object", "required": ["name", "role", "created_at"],
                        "properties": {"revoked_at": {"type": "string"}}},
          "CreatedToken": {"type": "object", "required": ["name", "role", "token"]},
          "ExecuteRequest": {"type": "object", "required": ["code"],
                             "properties": {"code": {"type": "string"}, "stdin": {"type": "string"}, "profile": {"type": "string"},
                                            "files": {"type": "object", "additionalProperties": {"type": "string"}},
                                            "args": {"type": "array", "items": {"type": "string"}},
                                            "timeout": {"type": "number"},
                                            "options": {"type": "object", "properties": {"timeout": {"type": "number"}, "memory_limit": {"type": "integer"}}}}},
          "ExecutionResult": {"type": "object", "required": ["status", "success", "exit_code", "stdout", "stderr", "output", "error"]},
          "Job": {"type": "object", "required": ["id", "state", "links"],
                  "properties": {"id": {"type": "string"},
                                 "state": {"enum": ["queued", "running", "finished", "cancelled"]},
                                 "result": {"$ref": "#/components/schemas/ExecutionResult"},
                                 "error": {"type": "object", "required": ["code", "message"]},
                                 "links": {"type": "object", "required": ["self", "events"]}}},
          "LogPage": {"type": "object", "required": ["logs", "page", "pages", "page_size", "total"],
                      "properties": {"logs": {"type": "array", "items": {"type": "object", "required": ["id", "timestamp", "level", "message"]}}}}
        }
      }
    }
    """
}
