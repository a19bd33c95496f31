/// How one carrier's tracking export names its columns (物流跟踪). A new carrier is a new mapping (data), not code.
public struct CarrierMapping: Codable, Equatable, Sendable {
    public var carrier: String
    public var waybill: String
    public var time: String
    public var place: String?
    public var status: String

    public init(carrier: String, waybill: String, time: String, place: String? = nil, status: String) {
        self.carrier = carrier; self.waybill = waybill; self.time = time; self.place = place; self.status = status
    }

    /// The mappings a new installation starts with, as the carriers' exports head their columns.
    public static let presets = [
        CarrierMapping(carrier: "顺丰速运", waybill: "运单号", time: "时间", place: "地点", status: "状态"),
        CarrierMapping(carrier: "中国邮政EMS", waybill: "邮件号", time: "处理时间", place: "处理机构", status: "处理情况"),
        CarrierMapping(carrier: "京东物流", waybill: "运单号", time: "操作时间", place: "操作网点", status: "物流状态"),
    ]
}

/// One tracking event of a waybill, its time read and written back as "yyyy-MM-dd HH:mm".
public struct TrackingRecord: Equatable, Sendable {
    public let line: Int
    public let waybill: String
    public let at: String
    public let place: String
    public let status: String

    public init(line: Int, waybill: String, at: String, place: String, status: String) {
        self.line = line; self.waybill = waybill; self.at = at; self.place = place; self.status = status
    }
}

public enum TrackingSheet {
    /// Every event of a carrier's export; a file with any bad row is refused whole, row by row.
    public static func parse(_ cells: [[String]],
                             mapping m: CarrierMapping) throws(ImportRejected) -> [TrackingRecord] {
        guard let header = cells.first?.map(\.trimmed) else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "文件是空的")])
        }
        let wanted = [m.waybill, m.time, m.status] + (m.place.map { [$0] } ?? [])
        let missing = wanted.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header",
                                           message: "不是\(m.carrier)的导出：缺少列\(missing.joined(separator: "、"))")])
        }
        let at = wanted.compactMap { header.firstIndex(of: $0) }
        var records: [TrackingRecord] = [], errors: [RowError] = []
        for (offset, row) in cells.enumerated().dropFirst() {
            let cell = at.map { $0 < row.count ? row[$0].trimmed : "" }
            guard cell.contains(where: { !$0.isEmpty }) else { continue }
            let line = offset + 1
            switch record(cell, line: line, mapping: m) {
            case .success(let r): records.append(r)
            case .failure(let e): errors.append(e)
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        return records
    }

    /// One row's cells in the order waybill, time, status, place.
    public static func record(_ cell: [String], line: Int,
        mapping m: CarrierMapping) -> Result<TrackingRecord, RowError> {
        let (waybill, when, status) = (cell[0], cell[1], cell[2])
        let place = cell.count > 3 ? cell[3] : ""
        guard Waybill.isNumber(waybill) else {
            return .failure(RowError(row: line, column: m.waybill, code: "bad_waybill",
                                     message: "运单号须为4–32位字母或数字"))
        }
        guard let instant = time(when) else {
            return .failure(RowError(row: line, column: m.time, code: "bad_time",
                                     message: "时间“\(when)”无法识别，如 2026-11-30 14:05"))
        }
        guard !status.isEmpty, status.count <= 100, place.count <= 100 else {
            return .failure(RowError(row: line, column: m.status, code: "bad_status",
                                     message: "状态须填写，不超过100字"))
        }
        return .success(TrackingRecord(line: line, waybill: waybill, at: instant, place: place, status: status))
    }

    /// "2026-11-30 14:05", "2026/11/30 14:05:09" or "2026-11-30T14:05" → "2026-11-30 14:05"; nil otherwise.
    public static func time(_ text: String) -> String? {
        let t = text.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "T", with: " ")
        let parts = t.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let day = LocalDate(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":").map { Int($0) }
        guard (2...3).contains(clock.count), clock.allSatisfy({ $0 != nil }),
              let h = clock[0], let min = clock[1], (0..<24).contains(h), (0..<60).contains(min) else { return nil }
        if clock.count == 3, let s = clock[2], !(0..<60).contains(s) { return nil }
        return "\(day) \(h.padded(2)):\(min.padded(2))"
    }
}

public enum Waybill {
    /// Carriers' numbers are letters and digits (SF1234567890, 9876543210987).
    public static func isNumber(_ text: String) -> Bool {
        (4...32).contains(text.count)
            && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."Z").contains($0)
                || ("a"..."z").contains($0) }
    }
}
