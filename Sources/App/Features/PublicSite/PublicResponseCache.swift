import NIOConcurrencyHelpers
import Vapor

/// The public catalogue's answers to anonymous visitors (and its API's, which are the same for every caller), kept
/// for a few seconds (`AppConfig.publicCacheSeconds`) by today and the search they ask for — its parameters as read,
/// so that junk parameters cannot fill it — within `capacity` bytes: many citizens asking the same first pages cost
/// one search each per interval. While one request searches for a key, the others asking for it wait for its answer
/// (single flight): an answer expiring under load is searched once, not once per waiting citizen; and for one interval
/// more, the others are given the answer just expired rather than wait (stale while revalidated: answers kept at the
/// same moment expire together, and a burst of their searches held every connection up to a third of a second). Any
/// change to the catalogue's index in this process (`CatalogueGeneration`) drops kept answers; another server's
/// change shows here within two intervals.
final class PublicResponseCache: Sendable {
    static let capacity = 64 << 20

    struct Entry: Sendable {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let generation: Int
        let expires: Date

        var response: Response {
            var headers = HTTPHeaders()
            headers.contentType = contentType
            return Response(status: .ok, headers: headers, body: .init(buffer: body))
        }
    }
    /// What a request that missed is told: to search, or the answer another request searched (nil: not kept).
    private enum Turn: Sendable {
        case search
        case answer(Entry?)
    }
    private typealias Waiter = CheckedContinuation<Turn, Never>
    private struct Store {
        var entries: [String: Entry] = [:]
        var bytes = 0
        /// Keys being searched, and who waits for each answer.
        var searching: [String: [Waiter]] = [:]
    }
    private let lifetime: TimeInterval
    private let store = NIOLockedValueBox(Store())

    init(seconds: Int) { lifetime = TimeInterval(seconds) }

    /// The kept answer to this search, or `make`'s (kept when it is a 200).
    func response(for key: String, make: () async throws -> Response) async throws -> Response {
        guard lifetime > 0 else { return try await make() }
        let generation = CatalogueGeneration.current
        if let hit = store.withLockedValue({ $0.entries[key] }), hit.generation == generation, hit.expires > Date() {
            return hit.response
        }
        let turn = await withCheckedContinuation { (waiter: Waiter) in
            let turn: Turn? = store.withLockedValue { store in
                guard store.searching[key] == nil else {
                    if let stale = store.entries[key], stale.generation == generation,
                       stale.expires + lifetime > Date() {
                        return .answer(stale)
                    }
                    store.searching[key]!.append(waiter)
                    return nil
                }
                store.searching[key] = []
                return .search
            }
            if let turn { waiter.resume(returning: turn) }
        }
        switch turn {
        case .search:
            return try await search(key, generation: generation, make: make)
        case .answer(let answer):
            guard let answer, answer.generation == generation else { return try await make() }
            return answer.response
        }
    }

    /// Searches, keeps a 200, and hands the answer to everyone who waited for it — also when the search failed.
    private func search(_ key: String, generation: Int, make: () async throws -> Response) async throws -> Response {
        var entry: Entry?
        defer {
            let waiters = store.withLockedValue { $0.searching.removeValue(forKey: key) ?? [] }
            for waiter in waiters { waiter.resume(returning: .answer(entry)) }
        }
        let response = try await make()
        guard response.status == .ok, let body = response.body.buffer,
              let type = response.headers.contentType else { return response }
        let kept = Entry(body: body, contentType: type, generation: generation, expires: Date() + lifetime)
        keep(kept, for: key)
        entry = kept
        return response
    }

    private func keep(_ entry: Entry, for key: String) {
        let size = entry.body.readableBytes
        store.withLockedValue { store in
            if store.bytes + size > Self.capacity {
                let now = Date()
                store.entries = store.entries.filter { $0.value.expires > now && $0.value.generation == entry.generation }
                store.bytes = store.entries.values.reduce(0) { $0 + $1.body.readableBytes }
            }
            guard store.bytes + size <= Self.capacity else { return }
            store.bytes += size - (store.entries[key]?.body.readableBytes ?? 0)
            store.entries[key] = entry
        }
    }
}

extension Application {
    private struct PublicCacheKey: StorageKey { typealias Value = PublicResponseCache }

    var publicCache: PublicResponseCache {
        get { storage[PublicCacheKey.self] ?? PublicResponseCache(seconds: 0) }
        set { storage[PublicCacheKey.self] = newValue }
    }
}

/// Counts changes to the catalogue's index in this process: a kept answer from before a change is not given. A
/// change advances it at once and, inside a write transaction, again after the commit (`Pending`), since a search
/// running meanwhile still reads the rows the change replaces.
enum CatalogueGeneration {
    private static let value = NIOLockedValueBox(0)

    final class Pending: Sendable {
        private let flag = NIOLockedValueBox(false)
        var changed: Bool { flag.withLockedValue { $0 } }
        func mark() { flag.withLockedValue { $0 = true } }
    }

    @TaskLocal static var pending: Pending?

    static var current: Int { value.withLockedValue { $0 } }

    static func advance() {
        value.withLockedValue { $0 += 1 }
        pending?.mark()
    }
}
