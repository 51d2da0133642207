import ArgumentParser

/// The options every `<service> serve` takes: where to listen. Each overrides the service's `<SERVICE>_HOST` and
/// `<SERVICE>_PORT` from the central `.env`.
public struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on (default <SERVICE>_HOST from the central .env, else 127.0.0.1).")
    public var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default <SERVICE>_PORT from the central .env).")
    public var port: Int?

    public init() {}

    public func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
    }
}
