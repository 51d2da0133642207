#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, named `<prefix>-XXXXXX` (`mkdtemp`); the caller removes it when it cares to.
public func temporaryDirectory(prefix: String = "pylama-test") -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
}
