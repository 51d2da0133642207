import Foundation
import Jail

#if canImport(Glibc)
import Glibc
#endif

/// What finished or killed jobs left on the host: job cgroups and processes of free identity slots.
///
/// Slots are shared with every bexy on the host (other suites may run jobs meanwhile), so a slot is only
/// inspected while this test holds its lock: a held slot belongs to a live job and is skipped.
public enum Leftovers {
    // The engine's defaults: the suites run the engine and the front doors with no BEXY_* sandbox settings.
    public static let runtimeDirectory = SandboxConfiguration().runtimeDirectory
    public static let uidBase = SandboxConfiguration().uidBase
    public static let maxSlots = SandboxConfiguration().maxSlots

    /// Every job cgroup directory and job process of a free slot, described.
    public static func find() -> [String] {
        let suspects = processesByUid()
        var found: [String] = []
        for number in 0..<maxSlots {
            guard let slot = try? IdentitySlot(directory: runtimeDirectory + "/slots", uidBase: uidBase,
                                               number: number) else { continue }
            for parent in cgroupParents {
                let directory = parent + "/" + SandboxConfiguration().cgroupName(slot: slot.number)
                if access(directory, F_OK) == 0 { found.append("cgroup \(directory)") }
            }
            for uid in [slot.hostBase, slot.hostJobId] {
                for pid in suspects[uid] ?? [] where owner(of: pid) == uid {
                    found.append("process \(pid) (uid \(uid)): \(commandLine(of: pid))")
                }
            }
        }
        return found
    }

    /// Job cgroup directories of free slots (what a killed server leaves).
    public static func cgroups() -> [String] {
        find().filter { $0.hasPrefix("cgroup ") }
    }

    /// Processes running as a job uid of any slot, by uid (read before the slots are claimed).
    private static func processesByUid() -> [UInt32: [Int32]] {
        let last = UInt64(uidBase) + 2 * UInt64(maxSlots)
        var result: [UInt32: [Int32]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let uid = owner(of: pid), uid >= uidBase, UInt64(uid) < last else { continue }
            result[uid, default: []].append(pid)
        }
        return result
    }

    private static func owner(of pid: Int32) -> UInt32? {
        var st = stat()
        return stat("/proc/\(pid)", &st) == 0 ? st.st_uid : nil
    }

    private static func commandLine(of pid: Int32) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// bexy's parent groups on this host: `<mount><own path>/bexy` per v1 controller (or the mount root, as
    /// the Jail does when the own path is not visible), and on a v2-only host the job parent `Cgroups.v2Placement`
    /// finds.
    public static let cgroupParents: [String] = {
        let membership = ((try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? "")
            .split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }
        var parents: [String] = []
        for controller in ["memory", "pids", "cpu"] {
            guard let entry = membership.first(where: { $0.count == 3 && $0[0] != "0"
                && $0[1].split(separator: ",").contains(Substring(controller)) }) else { continue }
            let mount = "/sys/fs/cgroup/" + controller
            let own = entry[2] == "/" ? mount : mount + entry[2]
            parents.append((access(own, F_OK) == 0 ? own : mount) + "/bexy")
        }
        // A v2-only host: where the engine puts job cgroups (below the root, beside its supervisor leaf).
        if let placement = Cgroups.v2Placement() { parents.append(placement.jobsParent) }
        return parents.filter { access($0, F_OK) == 0 }
    }()
}
