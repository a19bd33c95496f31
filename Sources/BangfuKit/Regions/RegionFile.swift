/// A region list as CSV: `code,name[,parent][,flags]` with a header row. Flags are 脱贫县, 原深度贫困, 帮扶村, 示例
/// separated by `;`. Parents may be omitted: each code then hangs under its nearest enclosing code.
public struct RegionRecord: Equatable, Sendable {
    public let code: RegionCode
    public let name: String
    public var parent: RegionCode?
    public var flags: Set<Flag>

    public enum Flag: String, CaseIterable, Sendable {
        case liftedCounty = "脱贫县", deepPoverty = "原深度贫困", helpedVillage = "帮扶村", illustrative = "示例"
    }
}

public enum RegionFile {
    /// Parses and checks a whole file; `known` are codes already stored, which parents may name.
    /// Either every row is good, or the file is rejected with every row's problems.
    public static func parse(_ text: String, known: Set<String> = []) throws(ImportRejected) -> [RegionRecord] {
        let rows = CSV.parse(text).filter { !$0.allSatisfy { $0.trimmed.isEmpty } }
        guard let header = rows.first?.map({ $0.trimmed.lowercased() }),
              header.starts(with: ["code", "name"]) else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "表头应为 code,name[,parent][,flags]")])
        }
        let parentColumn = header.firstIndex(of: "parent"), flagColumn = header.firstIndex(of: "flags")
        var records: [RegionRecord] = [], lines: [Int] = [], errors: [RowError] = [], seen: Set<String> = []
        for (i, row) in rows.enumerated().dropFirst() {
            let line = i + 1
            func cell(_ j: Int?) -> String { j.flatMap { $0 < row.count ? row[$0] : nil }?.trimmed ?? "" }
            guard let code = RegionCode(cell(0)) else {
                errors.append(RowError(row: line, column: "code", code: "invalid", message: "区划代码“\(cell(0))”不是12位统计用区划代码")); continue
            }
            guard seen.insert(code.digits).inserted else {
                errors.append(RowError(row: line, column: "code", code: "duplicate", message: "区划代码 \(code) 重复")); continue
            }
            let name = cell(1)
            if name.isEmpty { errors.append(RowError(row: line, column: "name", code: "required", message: "名称不能为空")); continue }
            var flags = Set<RegionRecord.Flag>()
            for f in cell(flagColumn).split(separator: ";") {
                guard let flag = RegionRecord.Flag(rawValue: f.trimmed) else {
                    errors.append(RowError(row: line, column: "flags", code: "invalid", message: "未知标记“\(f)”")); continue
                }
                flags.insert(flag)
            }
            var parent: RegionCode? = nil
            if !cell(parentColumn).isEmpty {
                guard let p = RegionCode(cell(parentColumn)), p.contains(code), p != code else {
                    errors.append(RowError(row: line, column: "parent", code: "invalid", message: "上级代码“\(cell(parentColumn))”不是本区划的上级")); continue
                }
                parent = p
            }
            records.append(RegionRecord(code: code, name: name, parent: parent, flags: flags))
            lines.append(line)
        }
        let all = known.union(records.map(\.code.digits))
        for (i, r) in records.enumerated() {
            if let p = r.parent {
                if !all.contains(p.digits) {
                    errors.append(RowError(row: lines[i], column: "parent", code: "unknown_parent", message: "上级区划 \(p) 不存在"))
                }
            } else {
                records[i].parent = nearestAncestor(of: r.code, in: all)
                if r.code.level != .province && records[i].parent == nil {
                    errors.append(RowError(row: lines[i], column: "code", code: "unknown_parent", message: "找不到 \(r.code) 的上级区划"))
                }
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors.sorted { $0.row < $1.row }) }
        return records
    }

    /// Real trees skip levels (直辖市 counties sit under 市辖区/县; 省直辖县级市 under the province).
    public static func nearestAncestor(of code: RegionCode, in codes: Set<String>) -> RegionCode? {
        var level = code.level
        while let up = RegionCode.Level(rawValue: level.rawValue - 1) {
            if let a = code.ancestor(at: up), codes.contains(a.digits) { return a }
            level = up
        }
        return nil
    }
}
