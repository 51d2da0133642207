import Bexy
import Contracts
import Hummingbird
import ServiceHTTP

/// `POST /analyze {code}`: the program's imports classified as standard library, installed third party or
/// unknown, the packages to install, a syntax error with line and column, and warnings for risky constructs
/// (see `ImportAnalysis`).
///
/// The analysis is itself a sandbox job (`ImportAnalysis.request`: Python's `ast` under the `strict` profile, the
/// code on stdin), queued and audited like any execution; nothing of the code is parsed in this process.
/// 400 names `code` when it is missing or not a string, 413 when it is over `BEXY_MAX_CODE_BYTES`; queue full,
/// shutdown and an unavailable sandbox answer as `/execute` does; an analyzer job that fails is 500
/// `analysis_failed` naming the job's id (its audit record).
struct AnalyzeRoute: Sendable {
    let execute: ExecuteRoute

    func register(on router: Router<BexyRequestContext>) {
        router.post("/analyze") { request, context in
            try await analyze(request, context: context)
        }
    }

    private func analyze(_ request: Request, context: BexyRequestContext) async throws -> Response {
        try execute.requireSandbox()
        let requester = try Requester.of(request.headers)
        let limits = execute.limits
        let buffer = try await JSONBody.read(request, limit: limits.bodyBytes)
        let code = Array(try JSONBody.decode(AnalyzeRequestBody.self, from: buffer, root: "body").code.utf8)
        do throws(RequestRefusal) {
            try ExecuteRequestBody.check("code", bytes: code.count, cap: limits.codeBytes, key: "BEXY_MAX_CODE_BYTES")
        } catch {
            throw ServiceError(error)
        }
        let prepared: PreparedExecution
        do throws(RequestRefusal) {
            prepared = try execute.runner.prepare(ImportAnalysis.request(code: code, requester: requester,
                                                                         frontDoor: .http))
        } catch {
            throw ServiceError(status: .internalServerError, code: "analysis_failed",
                               message: "the analyzer job cannot be prepared: \(error)")
        }
        return try await execute.run(prepared, request: request, context: context) { result in
            let report: ImportAnalysis
            do throws(AnalysisError) {
                report = try ImportAnalysis.decode(result)
            } catch {
                throw ServiceError(status: .internalServerError, code: "analysis_failed",
                                   message: "analysis job \(result.id): \(error.message)")
            }
            return try JSONResponse.make(report)
        }
    }
}
