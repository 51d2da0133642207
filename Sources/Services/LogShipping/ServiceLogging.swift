import Logging
import ServiceKit

/// The one call a service's `serve` command makes so that its own logs reach LogLama: swift-log is bootstrapped
/// with `LogLamaLogHandler` (standard error as before, plus LogLama at `LOGLAMA_URL` with the internal token), and
/// the shipper is started. Records are batched and never block a request (see `LogShipper`); while LogLama is down
/// they wait in the shipper's bounded buffer.
public enum ServiceLogging {
    /// Bootstraps the process's logging for `service` and returns the running shipper, or nil for LogLama itself
    /// (it stores its own records; shipping them to itself over HTTP would log every ingest twice).
    ///
    /// Call it once, first thing in `serve` (swift-log allows one bootstrap per process).
    public static func bootstrap(service: String, settings: PyLamaConfiguration) -> LogShipper? {
        guard service != "loglama" else { return nil }
        let shipper = LogShipper(configuration: .init(url: settings.url(of: "loglama"),
                                                      token: settings["PYLAMA_INTERNAL_TOKEN"]))
        LoggingSystem.bootstrap(LogLamaLogHandler.bootstrap(shipper: shipper), metadataProvider: nil)
        _ = shipper.start()
        return shipper
    }
}
