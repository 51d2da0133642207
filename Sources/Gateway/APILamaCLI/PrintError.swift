#if canImport(Glibc)
import Glibc
#endif

/// Writes `message` and a newline to standard error (fd 2).
func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
