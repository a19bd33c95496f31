import BangfuKit
import Fluent
import SQLKit

/// Turns the place names offices write ("云阳县龙角镇示例村") into region codes, inside one subtree:
/// the names of the subtree's ancestors may lead the text, then each level's name in turn.
struct RegionResolver: Sendable {
    /// A region as names are resolved against it: read as plain columns, as a province's tree is tens of thousands
    /// of rows and Fluent's models cost more to fill than the resolving.
    struct Place: Decodable, Sendable {
        let code: String
        let name: String
        let parentCode: String?
    }

    private var children: [String?: [Place]] = [:]
    /// Each parent's children by name, and the lengths of their names, longest first: a line's place is found by
    /// looking up its leading characters, not by comparing it with every child's name (a large import's hot spot).
    private var named: [String?: [String: Place]] = [:]
    private var lengths: [String?: [Int]] = [:]
    let root: RegionCode?
    /// The coarsest level a name may resolve to (sheets name townships and villages; forms may name counties).
    var coarsest = RegionCode.Level.township

    /// Loads the root's ancestors and subtree (all regions when the scope is everything).
    static func load(scope: Scope, on db: any Database,
                     coarsest: RegionCode.Level = .township) async throws -> RegionResolver {
        var q = (db as! any SQLDatabase).select().columns("code", "name", "parent_code").from(Region.schema)
        var root: RegionCode? = nil
        if case .region(let r) = scope {
            root = r
            let ancestors = RegionCode.Level.allCases.compactMap { r.ancestor(at: $0)?.digits }
            q = q.where("code", .like, r.subtreePrefix + "%")
            if !ancestors.isEmpty { q = q.orWhere("code", .in, ancestors) }
        }
        var resolver = RegionResolver(root: root, coarsest: coarsest)
        for place in try await q.all(decoding: Place.self, with: Self.decoder) { resolver.add(place) }
        return resolver
    }

    private static let decoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)

    func resolve(_ place: String) -> RegionCode? {
        let text = place.filter { !$0.isWhitespace }
        if let code = RegionCode(text) { return within(code) }
        var rest = Substring(text), current: String? = nil
        while !rest.isEmpty {
            if let hit = longestChild(of: current, prefixing: rest) {
                rest = rest.dropFirst(hit.name.count); current = hit.code
            } else if let skip = uniqueDescendant(of: current, prefixing: rest) {
                // Levels the text leaves out: the province, 直辖市's 市辖区/县, the scope's own ancestors.
                rest = rest.dropFirst(skip.name.count); current = skip.code
            } else {
                return nil
            }
        }
        return current.flatMap(RegionCode.init).flatMap(within)
    }

    private mutating func add(_ region: Place) {
        let name = region.name
        children[region.parentCode, default: []].append(region)
        guard named[region.parentCode]?[name] == nil else { return }
        named[region.parentCode, default: [:]][name] = region
        lengths[region.parentCode] = Set((lengths[region.parentCode] ?? []) + [name.count]).sorted(by: >)
    }

    /// The child of `parent` with the longest name that starts the text.
    private func longestChild(of parent: String?, prefixing text: Substring) -> Place? {
        guard let names = named[parent] else { return nil }
        for length in lengths[parent] ?? [] {
            if let hit = names[String(text.prefix(length))] { return hit }
        }
        return nil
    }

    /// The one region two to four levels below `parent` whose name starts the text (the shallowest level
    /// with a hit wins); nil if none or several.
    private func uniqueDescendant(of parent: String?, prefixing text: Substring) -> Place? {
        var level = children[parent] ?? [], hits: [Place] = []
        for _ in 0..<3 where hits.isEmpty {
            level = level.flatMap { children[$0.code] ?? [] }
            hits = level.filter { $0.name.count > 1 && text.hasPrefix($0.name) }
        }
        return hits.count == 1 ? hits[0] : nil
    }

    private func within(_ code: RegionCode) -> RegionCode? {
        guard root.map({ $0.contains(code) }) ?? true, code.level >= coarsest else { return nil }
        return code
    }
}
