import Bexy
import Contracts
import Jail
import JailWarm
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The warm pool's lifecycle with real zygotes and sandboxes: adapting, recycling, reporting its idle cost,
/// surviving a killed zygote, falling back to cold, and leaving nothing after shutdown.
@Suite(.serialized, .enabled(if: TestHost.canRunSandboxes, "needs root, user namespaces, seccomp and cgroups"))
struct WarmPoolTests {
    static func engine(_ warm: WarmPoolConfiguration) -> Engine {
        Engine(profiles: ProfileStore(directory: TestHost.repositoryRoot + "/profiles"), warmPool: warm,
               spool: Harness.spool)
    }

    static func run(_ engine: Engine, _ code: String = "print(1)") throws -> ExecutionResult {
        try engine.execute(ExecutionRequest(code: Array(code.utf8), requester: "tests", frontDoor: .cli))
    }

    /// Poll the pool's statistics until `condition` holds (up to 10 s); the last statistics either way.
    static func await(_ engine: Engine, _ condition: (WarmPoolStatistics) -> Bool) -> WarmPoolStatistics {
        var statistics = engine.warmPoolStatistics ?? WarmPoolStatistics()
        for _ in 0..<200 where !condition(statistics) {
            usleep(50_000)
            statistics = engine.warmPoolStatistics ?? statistics
        }
        return statistics
    }

    /// Whether `pid` is a live (not reaped) bexy-zygote.
    static func isZygote(_ pid: pid_t) -> Bool {
        Harness.readText("/proc/\(pid)/stat")?.contains("(bexy-zygote)") == true
    }

    @Test func readySandboxesAreCountedRecycledAndReplaced() throws {
        let engine = Self.engine(WarmPoolConfiguration(zygotePath: WarmPoolConfiguration.siblingZygotePath,
                                                       maxIdlePerShape: 2, maxIdle: 4, idleTimeoutSeconds: 1))
        defer { engine.shutdownWarmPool() }
        #expect(try Self.run(engine).sandbox == .warm)  // a miss: the shape now wants 2 ready sandboxes
        let ready = Self.await(engine) { $0.idleSandboxes == 2 }
        #expect(ready.idleSandboxes == 2)
        #expect(ready.misses == 1 && ready.hits == 0)
        #expect(ready.idleMemoryBytes > 0)
        #expect(ready.idleCgroups >= 2)
        #expect(ready.zygotes == 1 && ready.zygoteResidentBytes > 1 << 20)
        // Older than the idle timeout: destroyed and replaced (the target decays to 1 without misses).
        let recycled = Self.await(engine) { $0.recycled >= 2 && $0.idleSandboxes >= 1 }
        #expect(recycled.recycled >= 2)
        #expect(recycled.idleSandboxes >= 1)
        let result = try Self.run(engine)
        #expect(result.status == .ok && result.sandbox == .warm)
        #expect((engine.warmPoolStatistics?.hits ?? 0) >= 1)
    }

    @Test func aKilledZygoteIsReplacedAndItsSandboxesAreNotUsed() throws {
        let engine = Self.engine(WarmPoolConfiguration(zygotePath: WarmPoolConfiguration.siblingZygotePath,
                                                       maxIdlePerShape: 2, maxIdle: 4))
        defer { engine.shutdownWarmPool() }
        _ = try Self.run(engine)
        _ = Self.await(engine) { $0.idleSandboxes == 2 }
        let before = engine.warmPoolStatistics?.zygotePids ?? []
        #expect(before.count == 1)
        for pid in before { kill(pid, SIGKILL) }
        usleep(100_000)
        for _ in 0..<3 {
            let result = try Self.run(engine, "import os; print(os.getpid())")
            #expect(result.status == .ok && result.sandbox == .warm && result.stdout == "2\n")
        }
        let after = engine.warmPoolStatistics?.zygotePids ?? []
        #expect(after.count == 1 && Set(after).isDisjoint(with: before))
        #expect(!before.contains(where: Self.isZygote))
    }

    @Test func withoutAZygoteJobsRunColdAndTheReasonIsReported() throws {
        let engine = Self.engine(WarmPoolConfiguration(zygotePath: "/nonexistent/bexy-zygote"))
        defer { engine.shutdownWarmPool() }
        let result = try Self.run(engine)
        #expect(result.status == .ok && result.sandbox == .cold)
        let statistics = try #require(engine.warmPoolStatistics)
        #expect(statistics.cold == 1)
        #expect(statistics.unavailableReason?.contains("/nonexistent/bexy-zygote") == true, "\(statistics)")
    }

    @Test func shutdownLeavesNoSandboxCgroupOrZygote() throws {
        let engine = Self.engine(WarmPoolConfiguration(zygotePath: WarmPoolConfiguration.siblingZygotePath,
                                                       maxIdlePerShape: 3, maxIdle: 3))
        _ = try Self.run(engine)
        _ = try Self.run(engine)
        #expect(Self.await(engine) { $0.idleSandboxes >= 2 }.idleSandboxes >= 2)
        let zygotes = engine.warmPoolStatistics?.zygotePids ?? []
        #expect(zygotes.count == 1)
        engine.shutdownWarmPool()
        let statistics = try #require(engine.warmPoolStatistics)
        #expect(statistics.idleSandboxes == 0 && statistics.zygotes == 0)
        #expect(!zygotes.contains(where: Self.isZygote))
        // Other suites run jobs at the same time: only free slots are inspected, each while holding its lock.
        #expect(Leftovers.find().isEmpty, "\(Leftovers.find())")
    }
}
