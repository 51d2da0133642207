import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where a service's instances are, read from its `<SERVICE>_URL`:
///
/// - several comma-separated URLs (`http://10.0.0.5:8000,http://10.0.0.6:8000`): those instances;
/// - one URL whose host is a name, not an address (`http://bexy-headless:8000`, what a Kubernetes headless Service
///   gives): every IPv4 address the name resolves to, resolved again every few seconds as instances come and go;
/// - one URL with an IP address: a single instance, forwarded to as any other service (no balancing: `nil`).
public enum InstanceSource: Sendable, Equatable {
    case list([String])
    case dns(scheme: String, host: String, port: Int)

    /// The source `url` names, or nil for a single address.
    public init?(url: String) {
        let urls = url.split(separator: ",").map { String($0.trimmed) }.filter { !$0.isEmpty }
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if urls.count > 1 {
            self = .list(urls)
            return
        }
        guard let only = urls.first, let parts = Self.split(only), !Self.isAddress(parts.host) else { return nil }
        self = .dns(scheme: parts.scheme, host: parts.host, port: parts.port)
    }

    /// The instances' base URLs now: the list, or the name's current addresses (none when it does not resolve).
    public func instances() async -> [String] {
        switch self {
        case .list(let urls):
            return urls
        case .dns(let scheme, let host, let port):
            let addresses = (try? await NIOThreadPool.singleton.runIfActive { Self.resolve(host) }) ?? []
            return addresses.map { "\(scheme)://\($0):\(port)" }
        }
    }

    /// `scheme`, `host` and `port` of `http[s]://host[:port]` (no path).
    private static func split(_ url: String) -> (scheme: String, host: String, port: Int)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.lowerBound])
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard !authority.isEmpty, !authority.hasPrefix("[") else { return nil }  // IPv6 literals: a single address
        let pieces = authority.split(separator: ":", maxSplits: 1)
        let port = pieces.count == 2 ? Int(pieces[1]) : (scheme == "https" ? 443 : 80)
        guard let port else { return nil }
        return (scheme, String(pieces[0]), port)
    }

    private static func isAddress(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    /// The IPv4 addresses of `host`, sorted (getaddrinfo; blocking, so called on the thread pool).
    private static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: Set<String> = []
        var entry = list
        while let current = entry {
            if let raw = current.pointee.ai_addr {
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { socket in
                    var address = socket.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                }
                addresses.insert(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        return addresses.sorted()
    }
}
