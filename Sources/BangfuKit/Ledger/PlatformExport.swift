/// How one platform's order export names its columns. A new platform is a new mapping (data), not code.
public struct PlatformMapping: Codable, Equatable, Sendable {
    public var orderID: String
    public var buyer: String          // the buying unit's name or 统一社会信用代码
    public var date: String
    public var origin: String         // region code or place name
    public var seller: String
    public var variety: String
    public var quantity: String
    public var amount: String
    public var purpose: String?       // absent: every row takes `defaultPurpose`
    public var defaultPurpose: PurchasePurpose

    public init(orderID: String, buyer: String, date: String, origin: String, seller: String, variety: String,
                quantity: String, amount: String, purpose: String? = nil, defaultPurpose: PurchasePurpose) {
        self.orderID = orderID; self.buyer = buyer; self.date = date; self.origin = origin; self.seller = seller
        self.variety = variety; self.quantity = quantity; self.amount = amount; self.purpose = purpose
        self.defaultPurpose = defaultPurpose
    }

    /// The 832 platform's order export, as its column names read.
    public static let p832 = PlatformMapping(orderID: "订单号", buyer: "采购单位", date: "下单日期", origin: "产地",
                                            seller: "供应商", variety: "商品名称", quantity: "数量", amount: "订单金额",
                                            defaultPurpose: .canteen)
}

/// One order of a platform export, with the file's row number, its cells still text.
public struct PlatformOrder: Equatable, Sendable {
    public let line: Int
    public let orderID: String, buyer: String, date: String, origin: String, seller: String
    public let variety: String, quantity: String, amount: String, purpose: String
}

public enum PlatformExport {
    /// The mapped columns found in a header row; reads orders one row at a time.
    public struct Columns: Sendable {
        /// Where each mapped column is, in `PlatformOrder`'s order (purpose last, when mapped): looked up once,
        /// not by name in every row.
        let at: [Int]
        let defaultPurpose: PurchasePurpose

        public init(header row: [String], mapping m: PlatformMapping) throws(ImportRejected) {
            let header = row.map { $0.trimmed }
            let wanted = [m.orderID, m.buyer, m.date, m.origin, m.seller, m.variety, m.quantity, m.amount] + (m.purpose.map { [$0] } ?? [])
            let missing = wanted.filter { !header.contains($0) }
            guard missing.isEmpty else {
                throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "缺少列：\(missing.joined(separator: "、"))")])
            }
            at = wanted.map { header.firstIndex(of: $0)! }
            defaultPurpose = m.defaultPurpose
        }

        /// The order on a row, or nil for a blank row.
        public func order(_ row: [String], line: Int) -> PlatformOrder? {
            guard row.contains(where: { $0.unicodeScalars.contains { !$0.isSpace } }) else { return nil }
            let cells = at.map { $0 < row.count ? row[$0].trimmed : "" }
            return PlatformOrder(line: line, orderID: cells[0], buyer: cells[1], date: cells[2], origin: cells[3], seller: cells[4],
                                 variety: cells[5], quantity: cells[6], amount: cells[7],
                                 purpose: cells.count > 8 ? cells[8] : defaultPurpose.rawValue)
        }
    }

    /// Every non-blank order of a sheet already in memory.
    public static func orders(_ cells: [[String]], mapping m: PlatformMapping) throws(ImportRejected) -> [PlatformOrder] {
        guard let header = cells.first else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "文件是空的")])
        }
        let columns = try Columns(header: header, mapping: m)
        return cells.enumerated().dropFirst().compactMap { columns.order($0.element, line: $0.offset + 1) }
    }
}
