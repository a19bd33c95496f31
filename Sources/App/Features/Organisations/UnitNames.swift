import BangfuKit
import Fluent

/// Units by the names sheets write for them: their registered names and the aliases offices add.
enum UnitNames {
    /// Name or alias → unit, for these units (a registered name wins over another unit's alias).
    static func lookup(_ units: [BuyerUnit], on db: any Database) async throws -> [String: Int] {
        let ids = units.compactMap(\.id)
        let aliases = ids.isEmpty ? [] : try await UnitAlias.query(on: db).filter(\.$buyerUnit.$id ~~ ids).all()
        // An alias two counties both use names no one unit: its rows are reported, not booked to either.
        let owners = Dictionary(grouping: aliases, by: \.alias).mapValues { Set($0.map(\.$buyerUnit.id)) }
        var byName = owners.compactMapValues { $0.count == 1 ? $0.first : nil }
        for u in units { byName[u.name] = u.id! }
        return byName
    }

    /// The report's message for a buyer name nobody carries, naming the closest units.
    static func unknown(_ name: String, among units: [BuyerUnit]) -> String {
        let near = NameMatch.closest(to: name, among: units.map(\.name))
        let hint = near.isEmpty ? "" : "；最接近的已登记单位：" + near.joined(separator: "、") + "（可将该名称登记为其别名后重新导入）"
        return "采购单位“\(name)”未登记或不在您的范围内" + hint
    }

    /// Each unknown name once, with its rows and closest units, for the import page's alias forms.
    static func unknownBuyers(_ rows: [String: [Int]], among units: [BuyerUnit]) -> [LedgerImportReport.UnknownBuyer] {
        let byName = Dictionary(units.map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })
        return rows.keys.sorted().map { name in
            let near = NameMatch.closest(to: name, among: Array(byName.keys))
            return .init(name: name, rows: rows[name] ?? [],
                         candidates: near.compactMap { n in byName[n].map { .init(id: $0, name: n) } })
        }
    }
}
