import Hummingbird

/// Counts every request and times it into `metrics`, under its method, route pattern and response status.
///
/// Hummingbird's own `MetricsMiddleware` reports to the process-wide `MetricsSystem`; this one reports to the
/// application's registry, so each server counts only its own requests. Add it outside `ErrorMiddleware`, so an
/// error is counted under the status of the response it became.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: LogLamaMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status, since: started)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError,
                   since: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: HTTPResponse.Status,
                        since started: ContinuousClock.Instant) {
        metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "NotFound",
                              status: status.code, duration: ContinuousClock.now - started)
    }
}
