import BangfuKit
import Fluent
import Vapor

/// Each jurisdiction's channels: its own list and what it inherits from the offices above it, the nearer
/// jurisdiction's name for a code winning. A row may go through a channel of its buyer's jurisdictions only.
struct ChannelList: Sendable {
    let rows: [Channel]

    /// The channels that hold for a place (nil: every channel, each code once).
    func effective(for region: RegionCode?) -> [Channel] {
        let held = region.map { r in rows.filter { r.digits.hasPrefix(Self.prefix($0.jurisdictionCode)) } } ?? rows
        // Nearest first: the longest jurisdiction prefix names the code.
        let nearest = held.sorted { Self.prefix($0.jurisdictionCode).count > Self.prefix($1.jurisdictionCode).count }
        var seen = Set<String>(), out: [Channel] = []
        for c in nearest where seen.insert(c.code).inserted { out.append(c) }
        return out.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
    }

    /// The channel `code` as it holds for a buyer in `region`, or nil when none of its jurisdictions has it.
    func channel(_ code: String, for region: String) -> Channel? {
        guard let r = RegionCode(region) else { return nil }
        return effective(for: r).first { $0.code == code }
    }

    /// Code → name, each code once (the nearest name for `region`, or the first one anywhere).
    func names(for region: RegionCode? = nil) -> [String: String] {
        Dictionary(effective(for: region).map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func prefix(_ jurisdiction: String) -> String { RegionCode(jurisdiction)?.subtreePrefix ?? jurisdiction }

    static func load(on db: any Database) async throws -> ChannelList {
        ChannelList(rows: try await Channel.query(on: db).sort(\.$id).all())
    }
}

extension ChannelList {
    /// The place whose channels a caller works with: its region, its unit's or its system's (nil: anywhere).
    static func region(of req: Request) async throws -> RegionCode? {
        switch req.scope(for: .recordPurchases) ?? req.scope(for: .reportSales) ?? req.scope {
        case .region(let r): return r
        case .buyerUnit(let id): return try await BuyerUnit.find(id, on: req.db).flatMap { RegionCode($0.regionCode) }
        case .system(let id): return try await LeadSystem.find(id, on: req.db).flatMap { RegionCode($0.regionCode) }
        default: return nil
        }
    }
}
