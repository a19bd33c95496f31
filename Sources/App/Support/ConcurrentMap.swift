import Foundation

extension Array where Element: Sendable {
    /// `transform` over the elements on every core, results in order: for the CPU work of a whole file (keyed
    /// hashes, sealing) that would otherwise run on one core while the others wait.
    func concurrentMap<T: Sendable>(_ transform: @escaping @Sendable (Element) throws -> T) async throws -> [T] {
        let share = Swift.max(256, (count + Self.cores - 1) / Self.cores)
        guard count > share else { return try map(transform) }
        return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            for (part, slice) in chunked(share).enumerated() {
                group.addTask { (part, try slice.map(transform)) }
            }
            var parts: [Int: [T]] = [:]
            for try await (part, results) in group { parts[part] = results }
            return parts.keys.sorted().flatMap { parts[$0] ?? [] }
        }
    }

    private static var cores: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
