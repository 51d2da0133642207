import AsyncHTTPClient
import Contracts
import FoundationEssentials
import NIOCore
import ServiceLifecycle
import Synchronization

/// The instances of one service behind the gateway (several `bexy serve`), their health and load, and which
/// instance runs which job.
///
/// Every `probeInterval` it asks each instance's `GET /health` (BEXY's reports `scheduler: {slots, running, queued,
/// accepting}`) and, for a DNS source, resolves the name again. An instance that fails its check, or refuses a
/// connection, is taken out until a check succeeds; if every instance is out, they are all still tried, so a
/// gateway that started before its services does not refuse work they could now do.
final class InstanceBalancer: Service, Sendable {
    /// One instance as last seen.
    struct Instance: Sendable, Equatable {
        var url: String
        var healthy = true
        var slots = 1
        var load = 0
        /// Requests the gateway has in flight there now.
        var inFlight = 0
    }

    private struct State {
        var instances: [Instance] = []
        var rotation = 0
        /// Job id -> the URL of the instance that runs it, oldest first for eviction.
        var owners: [String: String] = [:]
        var ownerOrder: [String] = []
    }

    let source: InstanceSource
    let client: HTTPClient
    let probeInterval: Duration
    private let state = Mutex(State())

    /// How many job owners are remembered (the oldest are forgotten first; an unknown job is looked for on every
    /// instance).
    static let rememberedJobs = 100_000

    init(source: InstanceSource, client: HTTPClient, probeInterval: Duration = .seconds(1)) {
        self.source = source
        self.client = client
        self.probeInterval = probeInterval
        if case .list(let urls) = source {
            state.withLock { $0.instances = urls.map { Instance(url: $0) } }
        }
    }

    /// The instances now, for `/api/health`.
    var snapshot: [Instance] { state.withLock { $0.instances } }

    /// The instances to try for new work, best first: healthy ones by load (their last report plus what the
    /// gateway has in flight there, per slot), ties taken in turn; then the ones that are out.
    func candidates() -> [String] {
        state.withLock { state in
            state.rotation &+= 1
            let count = max(state.instances.count, 1)
            let rotation = state.rotation
            let ranked = state.instances.enumerated().sorted { left, right in
                let (a, b) = (left.element, right.element)
                if a.healthy != b.healthy { return a.healthy }
                let loadA = Double(a.load + a.inFlight) / Double(max(a.slots, 1))
                let loadB = Double(b.load + b.inFlight) / Double(max(b.slots, 1))
                if loadA != loadB { return loadA < loadB }
                return (left.offset + rotation) % count < (right.offset + rotation) % count
            }
            return ranked.map(\.element.url)
        }
    }

    /// Counts a request in flight at `url` until `end` is called.
    func begin(_ url: String) { update(url) { $0.inFlight += 1 } }

    func end(_ url: String) { update(url) { $0.inFlight = max(0, $0.inFlight - 1) } }

    /// Takes `url` out until its next successful check (it refused a connection).
    func markDown(_ url: String) { update(url) { $0.healthy = false } }

    /// Remembers that job `id` runs at `url`.
    func remember(job id: String, at url: String) {
        state.withLock { state in
            if state.owners.updateValue(url, forKey: id) == nil { state.ownerOrder.append(id) }
            if state.ownerOrder.count > Self.rememberedJobs {
                let forgotten = state.ownerOrder.prefix(state.ownerOrder.count / 2)
                for id in forgotten { state.owners[id] = nil }
                state.ownerOrder.removeFirst(forgotten.count)
            }
        }
    }

    /// The instance that runs job `id`, if the gateway saw it start.
    func owner(of id: String) -> String? { state.withLock { $0.owners[id] } }

    private func update(_ url: String, _ change: (inout Instance) -> Void) {
        state.withLock { state in
            if let index = state.instances.firstIndex(where: { $0.url == url }) { change(&state.instances[index]) }
        }
    }

    /// Checks every instance now (and resolves a DNS source again).
    func probe() async {
        let urls = await source.instances()
        let checks = await withTaskGroup(of: Instance.self) { group in
            for url in urls { group.addTask { await self.check(url) } }
            var checks: [Instance] = []
            for await check in group { checks.append(check) }
            return checks
        }
        state.withLock { state in
            let previous = Dictionary(state.instances.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
            state.instances = urls.compactMap { url in
                guard var instance = checks.first(where: { $0.url == url }) else { return nil }
                instance.inFlight = previous[url]?.inFlight ?? 0
                return instance
            }
        }
    }

    /// One `GET /health`: healthy when it answers 200 within a second; its scheduler's slots and load when it says.
    private func check(_ url: String) async -> Instance {
        var instance = Instance(url: url, healthy: false)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(1))
            let body = try await response.body.collect(upTo: 64 * 1024)
            instance.healthy = response.status == .ok
            if let health = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)),
               let scheduler = health["scheduler"] {
                instance.slots = scheduler["slots"]?.int ?? 1
                instance.load = (scheduler["running"]?.int ?? 0) + (scheduler["queued"]?.int ?? 0)
                if scheduler["accepting"]?.bool == false { instance.healthy = false }
            }
        } catch {
            instance.healthy = false
        }
        return instance
    }

    /// Checks every `probeInterval` until the gateway shuts down.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.probe()
                try await Task.sleep(for: self.probeInterval)
            }
        }
    }
}
