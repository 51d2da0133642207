#if canImport(Glibc)
import Glibc
#endif
import CJailShim

/// Owns C memory handed to a spawn (argv, envp, fd arrays) until it returned.
///
/// The child reads this memory after clone3 (it is a copy-on-write image of the parent), so everything is
/// allocated before the spawn and freed only after it returned.
package final class CPlanArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy of `text`.
    package func string(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// A NULL-terminated array of C strings (argv, envp).
    package func stringArray(_ items: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (i, item) in items.enumerated() { array[i] = UnsafeMutablePointer(mutating: string(item)) }
        array[items.count] = nil
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }

    /// A copy of `items` as a C array.
    package func array<T>(_ items: [T]) -> UnsafePointer<T> {
        let array = UnsafeMutablePointer<T>.allocate(capacity: max(items.count, 1))
        array.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(array))
        return UnsafePointer(array)
    }

    package init() {}

    deinit {
        for pointer in allocations { free(pointer) }
    }
}
