import NIOConcurrencyHelpers
import Vapor

/// The public catalogue's answers to anonymous visitors (and its API's, which are the same for every caller), kept
/// for a few seconds by their full address: many citizens asking the same first pages cost one search each per
/// interval. Any change to the catalogue's index in this process (`CatalogueGeneration`) drops them at once; another
/// server's change shows here within `lifetime`.
final class PublicResponseCache: Sendable {
    static let shared = PublicResponseCache()
    static let lifetime: TimeInterval = 5
    static let capacity = 2_000

    private struct Entry {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let generation: Int
        let expires: Date
    }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    /// The cached answer to this address, or `make`'s (kept when it is a 200).
    func response(for req: Request, make: () async throws -> Response) async throws -> Response {
        let key = "\(req.today) \(req.url.string)", now = Date(), generation = CatalogueGeneration.current
        let hit = entries.withLockedValue { $0[key] }
        if let hit, hit.generation == generation, hit.expires > now {
            var headers = HTTPHeaders()
            headers.contentType = hit.contentType
            return Response(status: .ok, headers: headers, body: .init(buffer: hit.body))
        }
        let response = try await make()
        guard response.status == .ok, let body = response.body.buffer,
              let type = response.headers.contentType else { return response }
        let entry = Entry(body: body, contentType: type, generation: generation, expires: now + Self.lifetime)
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries = entries.filter { $0.value.expires > now } }
            if entries.count < Self.capacity { entries[key] = entry }
        }
        return response
    }
}

/// Counts changes to the catalogue's index in this process: a cached answer from before a change is not given.
enum CatalogueGeneration {
    private static let value = NIOLockedValueBox(0)

    static var current: Int { value.withLockedValue { $0 } }

    static func advance() { value.withLockedValue { $0 += 1 } }
}
