import APILama
import Contracts
import Foundation
import NIOHTTP1
import SheLLama
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The path-traversal corpus, through the gateway over real HTTP: every case is a 4xx and nothing outside the
/// workspace (the canaries beside the root, the other workspace) is ever read, changed or deleted.
///
/// What a job could plant is planted on disk first: symbolic links to the canary, to the outside directory, to
/// `/etc`, a relative one climbing out and one to a magic link; a hard link to the canary; a FIFO.
@Suite struct TraversalCorpusTests {
    static let adminToken = "plm_test-admin-0123456789abcdefghijklmnopqrstuvwxyz"

    /// One request of the corpus: method, gateway path with query, optional JSON body.
    struct Case: Sendable, CustomStringConvertible {
        var method: HTTPMethod
        var path: String
        var body: String?
        var description: String { "\(method) \(path) \(body ?? "")" }
    }

    /// The paths a request may name, by class; each is tried as a read, a write, a delete, both ends of a rename and
    /// a directory operation.
    static let hostilePaths: [String] = [
        // dot-dot, absolute
        "..", "../canary.txt", "../../canary.txt", "sub/../../canary.txt", "/etc/passwd", "//etc/passwd",
        // NUL, encoded separators (decoded once by the query, so still refused), double encoding, backslash
        "canary.txt%00.md", "%2e%2e%2fcanary.txt", "..%2fcanary.txt", "%252e%252e%252fcanary.txt", "..%5ccanary.txt",
        // planted links: to the canary, through a directory link, relative climbing out, absolute, magic
        "link", "dirlink/canary.txt", "sub/climb", "etc/passwd", "magic/etc/passwd",
        // a hard link to the canary, a FIFO
        "hard", "pipe",
    ]

    static func cases(canary: String) -> [Case] {
        var cases: [Case] = []
        for path in hostilePaths {
            let body = path.removingPercentEncoding ?? path
            cases.append(Case(method: .GET, path: "/api/shellama/file?filename=\(path)"))
            cases.append(Case(method: .POST, path: "/api/shellama/file",
                              body: #"{"filename":\#(quoted(body)),"content":"pwned","overwrite":true}"#))
            cases.append(Case(method: .DELETE, path: "/api/shellama/file?filename=\(path)"))
            cases.append(Case(method: .POST, path: "/api/shellama/rename", body: #"{"from":\#(quoted(body)),"to":"moved"}"#))
            cases.append(Case(method: .POST, path: "/api/shellama/rename", body: #"{"from":"mine.txt","to":\#(quoted(body))}"#))
        }
        for path in ["..", "../outside", "dirlink", "magic", "etc", "/tmp", "%2e%2e", "sub/../.."] {
            cases.append(Case(method: .GET, path: "/api/shellama/files?directory=\(path)"))
            cases.append(Case(method: .GET, path: "/api/shellama/directory?path=\(path)"))
            cases.append(Case(method: .DELETE, path: "/api/shellama/directory?path=\(path)&recursive=true"))
        }
        cases += [
            Case(method: .POST, path: "/api/shellama/directory", body: #"{"path":"dirlink/new"}"#),
            Case(method: .POST, path: "/api/shellama/directory", body: #"{"path":"../escaped"}"#),
            Case(method: .POST, path: "/api/shellama/directory", body: #"{"path":"a\u0000b"}"#),
            Case(method: .POST, path: "/api/shellama/file", body: #"{"filename":"a\u0000b","content":"x"}"#),
            Case(method: .POST, path: "/api/shellama/file", body: #"{"filename":\#(quoted(canary)),"content":"x","overwrite":true}"#),
            Case(method: .DELETE, path: "/api/shellama/directory?path=&recursive=true"),
            Case(method: .DELETE, path: "/api/shellama/directory?path=.&recursive=true"),
            Case(method: .GET, path: "/api/shellama/file?filename=canary.txt&workspace=.."),
            Case(method: .GET, path: "/api/shellama/file?filename=canary.txt&workspace=%2e%2e"),
            Case(method: .GET, path: "/api/shellama/file?filename=secret.txt&workspace=../workspaces/other"),
            Case(method: .GET, path: "/api/shellama/file?filename=passwd&workspace=/etc"),
            Case(method: .GET, path: "/api/shellama/files?workspace=linked"),
            Case(method: .GET, path: "/api/shellama/%2e%2e/file?filename=canary.txt"),
            Case(method: .POST, path: "/api/shellama/shell", body: #"{"command":"cat canary.txt","cwd":".."}"#),
            Case(method: .POST, path: "/api/shellama/shell", body: #"{"command":"cat canary.txt","cwd":"dirlink"}"#),
            Case(method: .GET, path: "/api/shellama/git/diff?filename=../canary.txt"),
            Case(method: .GET, path: "/api/shellama/git/show?commit=HEAD&filename=../canary.txt"),
            Case(method: .GET, path: "/api/shellama/git/status?path=dirlink"),
        ]
        return cases
    }

    @Test func everyHostileRequestIsA4xxAndNothingOutsideIsTouched() async throws {
        let world = try SheLLamaWorld()
        try Self.plant(in: world)
        try await Self.withGateway(world) { gateway in
            let cases = Self.cases(canary: world.canaryPath)
            #expect(cases.count >= 60)
            for hostile in cases {
                let reply = try await send(gateway, hostile.method, hostile.path, token: Self.adminToken, body: hostile.body)
                #expect((400..<500).contains(reply.status), "\(hostile): \(reply.status) \(reply.text)")
                #expect(!reply.text.contains("canary: never") && !reply.text.contains("root:x:0"), "\(hostile): \(reply.text)")
            }
        }
        world.expectCanariesIntact()
        #expect(FileManager.default.fileExists(atPath: world.workspace + "/mine.txt"), "a rename moved mine.txt")
        #expect(!FileManager.default.fileExists(atPath: world.workspace + "/moved"), "a rename moved a hostile path in")
        #expect(!FileManager.default.fileExists(atPath: world.directory + "/escaped"))
        #expect(!FileManager.default.fileExists(atPath: world.directory + "/outside/new"))
    }

    /// A job swapping a directory for a symbolic link to the outside, in a loop, while requests read, write and
    /// delete below it: each answer is the inside file or a 4xx, never the canary, and the canary never changes.
    @Test func aDirectorySwappedForASymlinkInALoopNeverLeaksTheOutside() async throws {
        let world = try SheLLamaWorld()
        let race = world.workspace + "/race"
        try FileManager.default.createDirectory(atPath: race, withIntermediateDirectories: true)
        try "inside\n".write(toFile: race + "/canary.txt", atomically: false, encoding: .utf8)
        #expect(symlink(world.directory + "/outside", world.workspace + "/race-link") == 0)
        let swapper = Swapper()
        let parked = world.workspace + "/race-parked", link = world.workspace + "/race-link"
        let thread = Thread {
            while !swapper.stop.load(ordering: .relaxed) {
                rename(race, parked)
                rename(link, race)
                rename(race, link)
                rename(parked, race)
                swapper.swaps.add(1, ordering: .relaxed)
            }
        }
        thread.start()
        defer { swapper.stop.store(true, ordering: .relaxed) }
        try await Self.withGateway(world) { gateway in
            for round in 0..<150 {
                let reply: Reply
                switch round % 3 {
                case 0: reply = try await send(gateway, .GET, "/api/shellama/file?filename=race/canary.txt", token: Self.adminToken)
                case 1: reply = try await send(gateway, .POST, "/api/shellama/file", token: Self.adminToken,
                                               body: #"{"filename":"race/canary.txt","content":"inside\n","overwrite":true}"#)
                default: reply = try await send(gateway, .GET, "/api/shellama/files?directory=race", token: Self.adminToken)
                }
                #expect(reply.status < 500, "\(reply.status) \(reply.text)")
                #expect(!reply.text.contains("canary: never"), "\(reply.text)")
                if round % 3 == 0 && reply.status == 200 { #expect(reply.json?["content"]?.string == "inside\n") }
            }
        }
        swapper.stop.store(true, ordering: .relaxed)
        #expect(swapper.swaps.load(ordering: .relaxed) > 0)
        world.expectCanariesIntact()
        #expect(try FileManager.default.contentsOfDirectory(atPath: world.directory + "/outside") == ["canary.txt"])
    }

    /// The swapping thread's stop flag and count.
    final class Swapper: Sendable {
        let stop = Atomic<Bool>(false)
        let swaps = Atomic<Int>(0)
    }

    /// What a job could leave in the default workspace.
    static func plant(in world: SheLLamaWorld) throws {
        let workspace = world.workspace
        try FileManager.default.createDirectory(atPath: workspace + "/sub", withIntermediateDirectories: true)
        try "mine\n".write(toFile: workspace + "/mine.txt", atomically: false, encoding: .utf8)
        #expect(symlink(world.canaryPath, workspace + "/link") == 0)
        #expect(symlink(world.directory + "/outside", workspace + "/dirlink") == 0)
        #expect(symlink("../../../canary.txt", workspace + "/sub/climb") == 0)
        #expect(symlink("/etc", workspace + "/etc") == 0)
        #expect(symlink("/proc/self/root", workspace + "/magic") == 0)
        #expect(link(world.canaryPath, workspace + "/hard") == 0)
        #expect(mkfifo(workspace + "/pipe", 0o666) == 0)
        #expect(symlink(world.directory + "/outside", world.settings.root + "/linked") == 0)
    }

    /// SheLLama over `world` behind a live gateway; `body` gets the gateway's port.
    static func withGateway(_ world: SheLLamaWorld, _ body: (Int) async throws -> Void) async throws {
        try await world.withService { shellamaPort in
            let upstreams = Upstream.routes.map { route, service, isPage in
                Upstream(route: route, service: service,
                         baseURL: "http://127.0.0.1:\(route == "shellama" ? shellamaPort : refusedPort())", isPage: isPage)
            }
            let configuration = APILamaConfiguration(
                host: "127.0.0.1", port: 0, databasePath: world.directory + "/apilama.db", upstreams: upstreams,
                apiToken: adminToken, internalToken: SheLLamaWorld.internalToken,
                rateLimit: RateLimit(perSecond: 10_000, burst: 10_000))
            let store = try TokenStore(path: configuration.databasePath)
            try await withLiveServer({ onRunning in
                try await buildAPILamaApplication(configuration: configuration, store: store,
                                                  logger: quietLogger("apilama"), onServerRunning: onRunning)
            }, body)
        }
    }
}
