/// 附件1 乡镇（街道）贫困户农特产品待销目录 (seed 003): the header block, then a table with the
/// seed's columns. Reads what offices really fill in, and writes it back in the same form.
public enum Attachment1 {
    public static let title = "乡镇（街道）贫困户农特产品待销目录"
    public static let columns = ["序号", "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式",
                                 "网店网址", "供货联系人及联系方式", "备注"]
    static let headerLabels = ["填写单位", "填写人", "联系电话", "填写日期"]

    /// Accepted spellings of each column, after spaces, line breaks and full-width brackets are folded.
    static let aliases: [String: [String]] = [
        "地区": ["地区", "所在地区", "地址"],
        "贫困户姓名": ["贫困户姓名", "脱贫户姓名", "户主姓名", "贫困户（合作社）姓名"],
        "产品品种": ["产品品种", "品种", "产品名称"],
        "计划销量": ["计划销量", "计划销售量", "待销数量"],
        "销售价格（元）": ["销售价格(元)", "销售价格", "价格(元)", "价格"],
        "供货方式": ["供货方式"],
        "网店网址": ["网店网址", "网址"],
        "供货联系人及联系方式": ["供货联系人及联系方式", "供货联系人", "联系人及电话"],
        "备注": ["备注"],
    ]
    static let required = [
        "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式", "供货联系人及联系方式",
    ]

    public struct HeaderBlock: Equatable, Sendable {
        public var unit = "", filler = "", phone = "", date = ""
        public init(unit: String = "", filler: String = "", phone: String = "", date: String = "") {
            self.unit = unit; self.filler = filler; self.phone = phone; self.date = date
        }
    }

    public struct Row: Equatable, Sendable {
        public let line: Int
        public let place: String
        public let region: RegionCode
        public let seller: String
        public let variety: String
        public let quantity: Quantity
        public let price: UnitPrice
        public let method: SupplyMethod
        public let shopURL: String?
        public let contact: Contact
        public let note: String?

        /// 带动户数 from the note; a seller that is an organisation and a note with no number is
        /// `organisationWithoutCount`.
        public var householdsTouched: HouseholdsTouched {
            let read = HouseholdsTouched.read(note ?? "")
            return read == .unsaid && SellerName.isOrganisation(seller) ? .organisationWithoutCount : read
        }
    }

    public struct Sheet: Sendable {
        public let header: HeaderBlock
        public let rows: [Row]
    }

    /// Each column's position, found once a sheet.
    struct Positions {
        let place, seller, variety, quantity, price, method, url, contact, note: Int?

        init(_ form: FormTable) {
            (place, seller, variety) = (form.position("地区"), form.position("贫困户姓名"), form.position("产品品种"))
            (quantity, price) = (form.position("计划销量"), form.position("销售价格（元）"))
            (method, url) = (form.position("供货方式"), form.position("网店网址"))
            contact = form.position("供货联系人及联系方式")
            note = form.position("备注")
        }
    }

    /// Parses a whole sheet; `resolve` turns "云阳县xx乡镇xx村" into a region the importer may use.
    /// Every problem of every row is reported; any problem rejects the sheet. The lines are read on every core, then
    /// checked against each other in order.
    public static func parse(_ cells: [[String]], resolve: (String) -> RegionCode?) throws(ImportRejected) -> Sheet {
        let form = try FormTable(cells, anchor: "产品品种", aliases: aliases, required: required, form: "附件1")
        let at = Positions(form)
        let places = resolved(form, at, resolve)
        var errors: [RowError] = [], parsed: [Row] = [], seen: [String: Int] = [:]
        parsed.reserveCapacity(form.lines.count)
        seen.reserveCapacity(form.lines.count)
        for read in form.lines.concurrentMap({ Read($0, at, places) }) {
            errors += read.errors
            if let first = seen[read.key] {
                errors.append(RowError(row: read.line, column: "产品品种", code: "duplicate",
                                       message: "与第\(first)行重复（同一地区、同一户、同一品种）"))
            } else {
                seen[read.key] = read.line
                if let row = read.row { parsed.append(row) }
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        guard !parsed.isEmpty else {
            let empty = RowError(row: form.headerIndex + 2, column: "表格", code: "empty", message: "表格中没有数据行")
            throw ImportRejected([empty])
        }
        let h = form.headerBlock(headerLabels)
        let header = HeaderBlock(unit: h["填写单位"] ?? "", filler: h["填写人"] ?? "", phone: h["联系电话"] ?? "",
                                 date: h["填写日期"] ?? "")
        return Sheet(header: header, rows: parsed)
    }

    /// Each place the sheet names, resolved once before its lines are read: a file names its few thousand places
    /// over and over, and a cache shared by the cores reading it was contended.
    static func resolved(_ form: FormTable, _ at: Positions, _ resolve: (String) -> RegionCode?)
        -> [String: RegionCode] {
        var places: [String: RegionCode] = [:], unknown: Set<String> = []
        for line in form.lines {
            let place = line[at.place]
            guard !place.isEmpty, places[place] == nil, !unknown.contains(place) else { continue }
            if let region = resolve(place) { places[place] = region } else { unknown.insert(place) }
        }
        return places
    }

    /// One line read on its own: its row when every cell is good, else its problems; and the key that finds a
    /// line repeating it (same place, seller and variety).
    struct Read: Sendable {
        let line: Int
        let key: String
        var row: Row?
        var errors: [RowError] = []

        init(_ cell: FormTable.Line, _ at: Positions, _ places: [String: RegionCode]) {
            line = cell.number
            let place = cell[at.place], seller = cell[at.seller], variety = cell[at.variety]
            let region = places[place]
            key = "\(region?.digits ?? place)|\(seller)|\(variety)"
            if place.isEmpty { fail("地区", "required", "地区不能为空") } else if region == nil {
                fail("地区", "unknown_region", "地区“\(place)”对应不到您管辖范围内的区划")
            }
            if seller.isEmpty { fail("贫困户姓名", "required", "贫困户姓名不能为空") }
            if variety.isEmpty { fail("产品品种", "required", "产品品种不能为空") }
            let quantity = Quantity.parse(cell[at.quantity])
            if quantity == nil { fail("计划销量", "invalid", "计划销量“\(cell[at.quantity])”应为正数加单位，如“30斤”") }
            let price = UnitPrice.parse(cell[at.price])
            if price == nil { fail("销售价格（元）", "invalid", "销售价格“\(cell[at.price])”应为金额，如“3元/斤”") }
            let method = SupplyMethod(codeOrName: cell[at.method])
            if method == nil { fail("供货方式", "invalid", "供货方式“\(cell[at.method])”应为电商、送货上门或上门自提") }
            let contact = Contact.parse(cell[at.contact])
            if contact == nil { fail("供货联系人及联系方式", "invalid", "应为姓名加电话，如“李xx 17723635558”") }
            let url = cell[at.url]
            if !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                fail("网店网址", "invalid", "网店网址应以 http:// 或 https:// 开头")
            }
            guard errors.isEmpty, let region, let quantity, let price, let method, let contact else { return }
            row = Row(line: line, place: place, region: region, seller: seller, variety: variety, quantity: quantity,
                      price: price, method: method, shopURL: url.isEmpty ? nil : url, contact: contact,
                      note: cell[at.note].isEmpty ? nil : cell[at.note])
        }

        mutating func fail(_ column: String, _ code: String, _ message: String) {
            errors.append(RowError(row: line, column: column, code: code, message: message))
        }
    }

    /// The rows of an 附件1 sheet: title, header block, column names, data, the seed's notes.
    public static func sheet(header: HeaderBlock, rows: [[String]]) -> [[String]] {
        [[title],
         ["填写单位：\(header.unit)", "", "填写人：\(header.filler)", "", "联系电话：\(header.phone)", "",
          "填写日期：\(header.date)"],
         columns]
        + rows.enumerated().map { [String($0.offset + 1)] + $0.element }
        + [["备注：供货方式主要为电商、送货上门、上门自提等；至少每月更新一次。"]]
    }
}
