import AsyncHTTPClient
import NIOCore

/// The HTTP client for calls between the ecosystem's services that must notice a peer that is down at once: a
/// refused connection fails immediately instead of being retried until the request's timeout (AsyncHTTPClient's
/// default), and connecting may take at most two seconds. Health checks use it, and so does log shipping, whose
/// last send at shutdown would otherwise hold a stopping service for the whole request timeout when LogLama is down.
public enum FailFastClient {
    /// One client for the process.
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
