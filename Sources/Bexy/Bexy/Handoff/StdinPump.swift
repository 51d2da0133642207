import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Feeds a job's stdin from a descriptor of the caller's while the job runs, as `python3 script.py` reads its
/// stdin: through a pipe BEXY owns, so that the sandbox never holds the caller's descriptor (a terminal's TIOCSTI, a
/// file's other bytes, its path). `bexy exec` pumps its own stdin; the BEXY service pumps the one a handed-off
/// `bexy exec` passed it.
///
/// At most `cap` bytes pass. At the cap the job's stdin is closed (it reads end of file), `notice` gets one line
/// saying so, and the rest of the source is not read. A job that stops reading leaves the copy blocked on the full
/// pipe (64 KiB ahead of the program, as with any pipe); once the job and the caller have closed the pipe's read
/// end, the copy stops, even while the source has nothing to read (a terminal nobody types in).
public struct StdinPump: Sendable {
    /// The pipe's read end, for `JobInput.pipe`: the caller closes it after the run.
    public let readEnd: Int32
    private let writeEnd: Int32

    /// The pipe, with nothing copied into it yet.
    ///
    /// - Throws: `JailError` if the pipe cannot be made.
    public init() throws(JailError) {
        (readEnd, writeEnd) = try Syscall.pipe("pipe for the job's stdin")
    }

    /// Start copying `source` into the pipe on a background thread (call it once, or `abandon` instead). `source` is
    /// closed when the copy ends if `owned`.
    ///
    /// - Throws: `JailError` if the thread cannot be started (the pipe's write end is then closed: the job reads end
    ///   of file).
    public func start(from source: Int32, owned: Bool, cap: Int,
                      notice: @escaping @Sendable (String) -> Void) throws(JailError) {
        let writeEnd = self.writeEnd
        do throws(BackgroundThreadError) {
            try BackgroundThread.startDetached(name: "bexy-stdin") {
                if Self.copy(from: source, to: writeEnd, cap: cap) {
                    notice("stdin: the job's stdin was closed after \(cap) bytes (BEXY_MAX_STDIN_BYTES); "
                           + "the rest was not read")
                }
                close(writeEnd)
                if owned { close(source) }
            }
        } catch {
            close(writeEnd)
            throw .system("start the stdin thread", errno: error.errno)
        }
    }

    /// Give up on the copy before it started: the pipe's write end is closed (the read end stays the caller's).
    public func abandon() {
        close(writeEnd)
    }

    /// Copy until the source ends, the pipe has no reader left, or the cap is reached (returns true).
    private static func copy(from source: Int32, to pipe: Int32, cap: Int) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var copied = 0
        while readable(source, whileReaderOf: pipe) {
            // One byte past the cap is asked for, to tell "exactly the cap" from "more than the cap".
            let wanted = min(buffer.count, cap - copied + 1)
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, wanted) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            let kept = min(n, cap - copied)
            let written = buffer.withUnsafeBytes { chunk -> Bool in
                var offset = 0
                while offset < kept {
                    let w = write(pipe, chunk.baseAddress! + offset, kept - offset)
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { return false }  // EPIPE: the job and the caller closed the pipe
                    offset += w
                }
                return true
            }
            guard written else { return false }
            copied += kept
            if kept < n { return true }
        }
        return false
    }

    /// Wait until `source` has something to read (or is at its end); false once nobody reads `pipe` any more.
    private static func readable(_ source: Int32, whileReaderOf pipe: Int32) -> Bool {
        var fds = [pollfd(fd: source, events: Int16(POLLIN), revents: 0), pollfd(fd: pipe, events: 0, revents: 0)]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return true }  // let the read say what is wrong
            if fds[1].revents & Int16(POLLERR | POLLHUP) != 0 { return false }
            if fds[0].revents != 0 { return true }
        }
    }
}
