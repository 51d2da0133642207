import ServiceKit

extension ServiceClient {
    /// The terminal's window on a running LogLama (`LOGLAMA_URL`).
    static func logLama(configuration: PyLamaConfiguration) -> ServiceClient {
        ServiceClient(service: "loglama", displayName: "LogLama", startCommand: "loglama serve",
                      configuration: configuration)
    }
}
