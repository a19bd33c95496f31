/// How one carrier's waybill export names its columns (物流数据: 邮政 and couriers). A new carrier is a new mapping.
public struct LogisticsMapping: Codable, Equatable, Sendable {
    public var carrier: String
    public var waybill: String
    public var shipped: String
    public var sender: String?
    public var senderAddress: String
    public var receiver: String
    public var item: String
    public var weightKg: String?
    public var pieces: String?
    public var freight: String?

    public init(carrier: String, waybill: String, shipped: String, sender: String? = nil, senderAddress: String,
                receiver: String, item: String, weightKg: String? = nil, pieces: String? = nil,
                freight: String? = nil) {
        self.carrier = carrier; self.waybill = waybill; self.shipped = shipped; self.sender = sender
        self.senderAddress = senderAddress; self.receiver = receiver; self.item = item; self.weightKg = weightKg
        self.pieces = pieces; self.freight = freight
    }

    public static let presets = [
        LogisticsMapping(carrier: "中国邮政EMS", waybill: "邮件号", shipped: "收寄日期", sender: "寄件人",
                         senderAddress: "寄件人地址", receiver: "收件单位", item: "内件品名", weightKg: "重量(kg)",
                         pieces: "件数", freight: "邮费(元)"),
        LogisticsMapping(carrier: "顺丰速运", waybill: "运单号", shipped: "寄件时间", sender: "寄件人",
                         senderAddress: "寄件地址", receiver: "收件公司", item: "托寄物", weightKg: "计费重量",
                         pieces: "件数", freight: "运费"),
    ]

    var columns: [String?] { [waybill, shipped, senderAddress, receiver, item, sender, weightKg, pieces, freight] }
}

/// One shipment of a carrier's export, its cells read; the sender's name is kept only as a mask.
public struct LogisticsRecord: Equatable, Sendable {
    public let line: Int
    public let waybill: String
    public let shipped: LocalDate
    public let senderAddress: String
    public let senderMasked: String
    public let receiver: String
    public let item: String
    public let grams: Int64?
    public let pieces: Int?
    public let freight: Fen?
}

public enum LogisticsSheet {
    /// Every shipment of the export; a file with any bad row is refused whole, row by row.
    public static func parse(_ cells: [[String]],
                             mapping m: LogisticsMapping) throws(ImportRejected) -> [LogisticsRecord] {
        guard let header = cells.first?.map(\.trimmed) else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "文件是空的")])
        }
        let missing = m.columns.compactMap { $0 }.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header",
                                           message: "不是\(m.carrier)的运单导出：缺少列\(missing.joined(separator: "、"))")])
        }
        let at = m.columns.map { $0.flatMap { header.firstIndex(of: $0) } }
        var records: [LogisticsRecord] = [], errors: [RowError] = []
        for (offset, row) in cells.enumerated().dropFirst() {
            let cell = at.map { i in i.map { $0 < row.count ? row[$0].trimmed : "" } }
            guard cell.contains(where: { !($0 ?? "").isEmpty }) else { continue }
            switch record(cell, line: offset + 1, mapping: m) {
            case .success(let r): records.append(r)
            case .failure(let e): errors.append(e)
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        return records
    }

    /// One row's cells in `LogisticsMapping.columns`' order (nil where the mapping has no such column).
    static func record(_ c: [String?], line: Int, mapping m: LogisticsMapping) -> Result<LogisticsRecord, RowError> {
        let fail = { (column: String, code: String, message: String) in
            Result<LogisticsRecord, RowError>.failure(RowError(row: line, column: column, code: code, message: message))
        }
        let number = c[0] ?? ""
        guard Waybill.isNumber(number) else { return fail(m.waybill, "bad_waybill", "运单号须为4–32位字母或数字") }
        guard let shipped = day(c[1] ?? "") else { return fail(m.shipped, "bad_date", "日期“\(c[1] ?? "")”无法识别") }
        let address = c[2] ?? ""
        guard !address.isEmpty, address.count <= 200 else { return fail(m.senderAddress, "required", "请填写寄件地址") }
        let receiver = c[3] ?? "", item = c[4] ?? ""
        guard !receiver.isEmpty, receiver.count <= 100 else { return fail(m.receiver, "required", "请填写收件单位") }
        guard item.count <= 100 else { return fail(m.item, "too_long", "品名不超过100字") }
        var grams: Int64? = nil
        if let text = c[6], !text.isEmpty {
            guard let q = Quantity.parse(text.hasSuffix("kg") || text.hasSuffix("公斤") ? text : text + "kg"),
                  let g = Weights.grams(q) else {
                return fail(m.weightKg ?? "重量", "bad_weight", "重量“\(text)”无法识别，如 3.5")
            }
            grams = g
        }
        let pieces = c[7].flatMap { Int($0) }.flatMap { (0...100_000).contains($0) ? $0 : nil }
        let freight = c[8].flatMap { Fen.parse($0) }
        return .success(LogisticsRecord(line: line, waybill: number, shipped: shipped,
            senderAddress: Mask.numbers(in: address),
                                        senderMasked: (c[5] ?? "").isEmpty ? "" : Mask.name(c[5]!), receiver: receiver,
                                        item: item, grams: grams, pieces: pieces, freight: freight))
    }

    /// "2026-11-28", "2026/11/28" or with a time after it.
    public static func day(_ text: String) -> LocalDate? {
        let first = text.replacingOccurrences(of: "/", with: "-").split(separator: " ").first.map(String.init) ?? ""
        return LocalDate(first.split(separator: "T").first.map(String.init) ?? first)
    }
}
