import Foundation

extension Array where Element: Sendable {
    /// `map` on every core, in contiguous slices of at least `minimumSlice` elements (so a small file stays on the
    /// caller's thread), the results in order. For a large file's lines, each read or hashed on its own.
    public func concurrentMap<T: Sendable>(minimumSlice: Int = 4_096, _ transform: @Sendable (Element) -> T) -> [T] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return concurrentMap(slices: Swift.min(cores, count / Swift.max(1, minimumSlice)), transform)
    }

    /// `map` in `slices` contiguous slices of near-equal length (at most one element each apart), run at once.
    func concurrentMap<T: Sendable>(slices: Int, _ transform: @Sendable (Element) -> T) -> [T] {
        let slices = Swift.min(slices, count)
        guard slices > 1 else { return map(transform) }
        let (length, longer) = count.quotientAndRemainder(dividingBy: slices)
        // The first `longer` slices hold one element more.
        let start: @Sendable (Int) -> Int = { i in i * length + Swift.min(i, longer) }
        let parts = Parts<T>(slices)
        DispatchQueue.concurrentPerform(iterations: slices) { i in
            parts.set(i, self[start(i)..<start(i + 1)].map(transform))
        }
        return parts.joined
    }
}

/// Each slice's results, stored by the thread that made them.
private final class Parts<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [[T]]

    init(_ count: Int) { parts = Array(repeating: [], count: count) }

    func set(_ index: Int, _ part: [T]) { lock.withLock { parts[index] = part } }

    /// Appended slice by slice: `Array(parts.joined())` walked a flattened sequence element by element.
    var joined: [T] {
        lock.withLock {
            var all: [T] = []
            all.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { all.append(contentsOf: part) }
            return all
        }
    }
}
