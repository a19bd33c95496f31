import BangfuKit
import Fluent

/// Turns the place names offices write ("云阳县龙角镇示例村") into region codes, inside one subtree:
/// the names of the subtree's ancestors may lead the text, then each level's name in turn.
struct RegionResolver {
    private var children: [String?: [Region]] = [:]
    /// Each parent's children by name, and the lengths of their names, longest first: a line's place is found by
    /// looking up its leading characters, not by comparing it with every child's name (a large import's hot spot).
    private var named: [String?: [String: Region]] = [:]
    private var lengths: [String?: [Int]] = [:]
    let root: RegionCode?
    /// The coarsest level a name may resolve to (sheets name townships and villages; forms may name counties).
    var coarsest = RegionCode.Level.township

    /// Loads the root's ancestors and subtree (all regions when the scope is everything).
    static func load(scope: Scope, on db: any Database,
                     coarsest: RegionCode.Level = .township) async throws -> RegionResolver {
        var q = Region.query(on: db)
        var root: RegionCode? = nil
        if case .region(let r) = scope {
            root = r
            let ancestors = RegionCode.Level.allCases.compactMap { r.ancestor(at: $0)?.digits }
            q = q.group(.or) { $0.filter(\.$id =~ r.subtreePrefix).filter(\.$id ~~ ancestors) }
        }
        var resolver = RegionResolver(root: root, coarsest: coarsest)
        for region in try await q.all() { resolver.add(region) }
        return resolver
    }

    func resolve(_ place: String) -> RegionCode? {
        let text = place.filter { !$0.isWhitespace }
        if let code = RegionCode(text) { return within(code) }
        var rest = Substring(text), current: String? = nil
        while !rest.isEmpty {
            if let hit = longestChild(of: current, prefixing: rest) {
                rest = rest.dropFirst(hit.name.count); current = hit.id
            } else if let skip = uniqueDescendant(of: current, prefixing: rest) {
                // Levels the text leaves out: the province, 直辖市's 市辖区/县, the scope's own ancestors.
                rest = rest.dropFirst(skip.name.count); current = skip.id
            } else {
                return nil
            }
        }
        return current.flatMap(RegionCode.init).flatMap(within)
    }

    private mutating func add(_ region: Region) {
        let name = region.name
        children[region.parentCode, default: []].append(region)
        guard named[region.parentCode]?[name] == nil else { return }
        named[region.parentCode, default: [:]][name] = region
        lengths[region.parentCode] = Set((lengths[region.parentCode] ?? []) + [name.count]).sorted(by: >)
    }

    /// The child of `parent` with the longest name that starts the text.
    private func longestChild(of parent: String?, prefixing text: Substring) -> Region? {
        guard let names = named[parent] else { return nil }
        for length in lengths[parent] ?? [] {
            if let hit = names[String(text.prefix(length))] { return hit }
        }
        return nil
    }

    /// The one region two to four levels below `parent` whose name starts the text (the shallowest level
    /// with a hit wins); nil if none or several.
    private func uniqueDescendant(of parent: String?, prefixing text: Substring) -> Region? {
        var level = children[parent] ?? [], hits: [Region] = []
        for _ in 0..<3 where hits.isEmpty {
            level = level.flatMap { children[$0.id] ?? [] }
            hits = level.filter { $0.name.count > 1 && text.hasPrefix($0.name) }
        }
        return hits.count == 1 ? hits[0] : nil
    }

    private func within(_ code: RegionCode) -> RegionCode? {
        guard root.map({ $0.contains(code) }) ?? true, code.level >= coarsest else { return nil }
        return code
    }
}
