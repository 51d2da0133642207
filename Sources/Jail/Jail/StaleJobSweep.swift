/// What `Sandbox.sweepStaleJobs()` found and removed.
public struct StaleJobSweep: Sendable {
    /// The stale cgroup directories removed (tasks still in them were killed first).
    public var removedCgroups: [String] = []
    /// Slots skipped because a live job holds them (a running `bexy exec`, or another server).
    public var slotsInUse: [Int] = []
    /// Slots whose leftovers could not be removed, each with the reason.
    public var failures: [JailError] = []
}

extension Sandbox {
    /// Remove what the jobs of a bexy that was killed (`kill -9`, a crash) left behind.
    ///
    /// The job processes themselves die with their bexy (parent-death signal, and the lifeline pipe for a job still
    /// in setup); what can remain is each job's cgroup, `job-<instance>-<slot>`, in every hierarchy; the instance in the name
    /// keeps the sweep to this instance's jobs (another runtime directory's jobs are never touched). For every identity slot
    /// whose lock is free, the slot is claimed, its cgroup removed (any task still in it killed first), and the slot
    /// released. A slot whose lock is held belongs to a live job and is never touched. Nothing else in the runtime
    /// directory is per job: it holds only the slot locks and the (empty) mount point of job roots, whose mounts
    /// live in each job's own mount namespace.
    public func sweepStaleJobs() -> StaleJobSweep {
        var sweep = StaleJobSweep()
        for number in 0..<configuration.maxSlots {
            do throws(JailError) {
                let slot = try IdentitySlot(directory: slotDirectory, uidBase: configuration.uidBase, number: number)
                sweep.removedCgroups += try cgroups.removeStale(name: cgroupName(slot: slot.number))
            } catch let error where error.code == .busy {
                sweep.slotsInUse.append(number)
            } catch {
                sweep.failures.append(error)
            }
        }
        return sweep
    }
}
