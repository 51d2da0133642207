import Bexy
import Jail
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Takes `bexy exec` jobs from CLIs on this host over a local socket (`HandoffFrame`), for the scheduler's warm
/// sandboxes: a job the CLI would have set up cold runs here with the same result, output and audit record.
///
/// The socket is mode 0600, owned by the service's user: only that user (root, who may run `bexy exec` cold anyway)
/// can hand jobs over, and the kernel says which uid connected (`LocalSocket.peer`), recorded as the requester. A
/// second service finds the socket answered and takes no hand-offs; a socket file nobody answers on (a killed
/// predecessor's) is replaced. On graceful shutdown the listener stops first, then the scheduler drains.
struct HandoffListener: Service {
    /// Where to listen, and the settings a CLI must share for its jobs to be taken.
    struct Configuration: Sendable {
        var socketPath: String
        var settings: HandoffSettings
    }

    let configuration: Configuration
    let runner: any JobRunner
    let scheduler: ExecutionScheduler
    let logger: Logger

    func run() async throws {
        guard runner.unavailableReason == nil, let listener = bind() else {
            try? await gracefulShutdown()
            return
        }
        let path = configuration.socketPath
        let connection = HandoffConnection.Context(settings: configuration.settings, runner: runner,
                                                   scheduler: scheduler, logger: logger)
        do throws(BackgroundThreadError) {
            try BackgroundThread.startDetached(name: "bexy-handoff") {
                while let fd = LocalSocket.accept(listener) {
                    do throws(BackgroundThreadError) {
                        try BackgroundThread.startDetached(name: "bexy-handoff-job") {
                            HandoffConnection(fd: fd, context: connection).serve()
                        }
                    } catch {
                        close(fd)  // the CLI reads the end of the stream and says the service went away
                        logger.error("cannot start a hand-off thread", metadata: ["error": "\(error)"])
                    }
                }
                close(listener)
            }
        } catch {
            close(listener)
            unlink(path)
            logger.error("cannot start the hand-off listener", metadata: ["error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        logger.info("taking bexy exec hand-offs", metadata: ["socket": "\(path)"])
        try? await gracefulShutdown()
        unlink(path)
        shutdown(listener, Int32(SHUT_RDWR))  // accept fails: the listening thread closes the socket and ends
    }

    /// Listen at the configured path; nil (logged) when another service answers there or the path cannot be used.
    private func bind() -> Int32? {
        let path = configuration.socketPath
        if let fd = try? LocalSocket.connect(to: path) {
            close(fd)
            logger.notice("another BEXY service takes bexy exec hand-offs at \(path); this one does not")
            return nil
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFSOCK else {
                logger.error("\(path) is not a socket; not taking bexy exec hand-offs (set BEXY_HANDOFF_SOCKET)")
                return nil
            }
            unlink(path)  // a socket nobody answers on: a killed predecessor's
        }
        do throws(JailError) {
            return try LocalSocket.listen(at: path, mode: 0o600)
        } catch {
            logger.error("not taking bexy exec hand-offs", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
