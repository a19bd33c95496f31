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
    /// Finds the mapped columns in the header row and reads every non-blank row.
    public static func orders(_ cells: [[String]], mapping m: PlatformMapping) throws(ImportRejected) -> [PlatformOrder] {
        guard let header = cells.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "文件是空的")])
        }
        let wanted = [m.orderID, m.buyer, m.date, m.origin, m.seller, m.variety, m.quantity, m.amount] + (m.purpose.map { [$0] } ?? [])
        let missing = wanted.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "缺少列：\(missing.joined(separator: "、"))")])
        }
        let index = Dictionary(header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return cells.enumerated().dropFirst().compactMap { i, row in
            func cell(_ name: String) -> String {
                index[name].flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil } ?? ""
            }
            guard !row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
            return PlatformOrder(line: i + 1, orderID: cell(m.orderID), buyer: cell(m.buyer), date: cell(m.date),
                                 origin: cell(m.origin), seller: cell(m.seller), variety: cell(m.variety),
                                 quantity: cell(m.quantity), amount: cell(m.amount),
                                 purpose: m.purpose.map(cell) ?? m.defaultPurpose.rawValue)
        }
    }
}
