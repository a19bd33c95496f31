import NIOConcurrencyHelpers
import Vapor

/// The public catalogue's answers to anonymous visitors (and its API's, which are the same for every caller), kept
/// for a few seconds (`AppConfig.publicCacheSeconds`) by today and the search they ask for — its parameters as read,
/// so that junk parameters cannot fill it — within `capacity` bytes: many citizens asking the same first pages cost
/// one search each per interval. Any change to the catalogue's index in this process (`CatalogueGeneration`) drops
/// them; another server's change shows here within the interval.
final class PublicResponseCache: Sendable {
    static let capacity = 64 << 20

    private struct Entry {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let generation: Int
        let expires: Date
    }
    private struct Store {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }
    private let lifetime: TimeInterval
    private let store = NIOLockedValueBox(Store())

    init(seconds: Int) { lifetime = TimeInterval(seconds) }

    /// The kept answer to this search, or `make`'s (kept when it is a 200).
    func response(for key: String, make: () async throws -> Response) async throws -> Response {
        guard lifetime > 0 else { return try await make() }
        let now = Date(), generation = CatalogueGeneration.current
        if let hit = store.withLockedValue({ $0.entries[key] }), hit.generation == generation, hit.expires > now {
            var headers = HTTPHeaders()
            headers.contentType = hit.contentType
            return Response(status: .ok, headers: headers, body: .init(buffer: hit.body))
        }
        let response = try await make()
        guard response.status == .ok, let body = response.body.buffer,
              let type = response.headers.contentType else { return response }
        let entry = Entry(body: body, contentType: type, generation: generation, expires: now + lifetime)
        store.withLockedValue { store in
            if store.bytes + body.readableBytes > Self.capacity {
                store.entries = store.entries.filter { $0.value.expires > now && $0.value.generation == generation }
                store.bytes = store.entries.values.reduce(0) { $0 + $1.body.readableBytes }
            }
            guard store.bytes + body.readableBytes <= Self.capacity else { return }
            store.bytes += body.readableBytes - (store.entries[key]?.body.readableBytes ?? 0)
            store.entries[key] = entry
        }
        return response
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
