import Jail

#if canImport(Glibc)
import Glibc
#endif

/// Feeds a job's stdin from one of bexy's own descriptors while the job runs, as `python3 script.py` reads its
/// stdin: through a pipe bexy owns, so that the sandbox never holds the host's descriptor (a terminal's
/// TIOCSTI, a file's other bytes, its path).
///
/// At most `cap` bytes pass. At the cap the job's stdin is closed (it reads end of file) and bexy says so on its
/// stderr in one line; the rest of the source is not read. A job that stops reading leaves the copy blocked on
/// the full pipe (64 KiB ahead of the program, as with any pipe) until bexy exits after the job.
enum StdinPump {
    /// Start copying `source` into a new pipe on a background thread and return the pipe's read end, for
    /// `JobInput.pipe` (the caller closes it after the run). `source` is closed when the copy ends if `owned`.
    ///
    /// - Throws: `JailError` if the pipe or the thread cannot be made.
    static func start(from source: Int32, owned: Bool, cap: Int) throws(JailError) -> Int32 {
        let (readEnd, writeEnd) = try Syscall.pipe("pipe for the job's stdin")
        do throws(BackgroundThreadError) {
            try BackgroundThread.startDetached(name: "bexy-stdin") {
                copy(from: source, to: writeEnd, cap: cap)
                close(writeEnd)
                if owned { close(source) }
            }
        } catch {
            close(readEnd)
            close(writeEnd)
            throw .system("start the stdin thread", errno: error.errno)
        }
        return readEnd
    }

    /// Copy until the source ends, the cap is reached (one line on stderr), or the pipe has no reader left
    /// (EPIPE: bexy ignores SIGPIPE).
    private static func copy(from source: Int32, to pipe: Int32, cap: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var copied = 0
        while true {
            // One byte past the cap is asked for, to tell "exactly the cap" from "more than the cap".
            let wanted = min(buffer.count, cap - copied + 1)
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, wanted) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            let kept = min(n, cap - copied)
            guard writeAll(pipe, Array(buffer[0..<kept])) else { return }
            copied += kept
            if kept < n {
                writeAll(2, Array(("bexy: stdin: the job's stdin was closed after \(cap) bytes "
                                   + "(BEXY_MAX_STDIN_BYTES); the rest was not read\n").utf8))
                return
            }
        }
    }
}
