/// 附件2 乡镇（街道）贫困户产品销售情况表 and 附件3 牵头单位系统（行业）购买贫困户产品采购情况表 (seed 003):
/// the same table seen from the selling township and from the buying system. Read as offices fill them
/// ("30斤", "90元", "2019.9.1"), written back in the same form.
public enum SalesReport {
    public enum Form: String, Sendable, CaseIterable {
        case township = "2", leadUnit = "3"
        public var title: String {
            self == .township ? "乡镇（街道）贫困户产品销售情况表" : "牵头单位系统（行业）购买贫困户产品采购情况表"
        }
        public var name: String { "附件\(rawValue)" }
        public var source: PurchaseSource { self == .township ? .townshipReport : .leadUnitReport }
        var verb: String { self == .township ? "销售" : "采购" }
        public var columns: [String] {
            ["序号", "采购单位", "\(verb)时间", "地区", "贫困户姓名", "产品品种", "\(verb)数量", "\(verb)金额", "备注"]
        }
    }

    static let headerLabels = ["填报单位", "供货联系人姓名", "联系方式", "填报时间"]
    static let aliases: [String: [String]] = [
        "采购单位": ["采购单位", "购买单位"],
        "时间": ["销售时间", "采购时间", "购买时间", "日期"],
        "地区": ["地区", "所在地区"],
        "贫困户姓名": ["贫困户姓名", "脱贫户姓名", "贫困户（合作社）姓名", "户主姓名"],
        "产品品种": ["产品品种", "品种", "产品名称"],
        "数量": ["销售数量", "采购数量", "数量"],
        "金额": ["销售金额", "采购金额", "金额", "金额(元)"],
        "备注": ["备注"],
    ]
    static let required = ["采购单位", "时间", "地区", "贫困户姓名", "产品品种", "数量", "金额"]

    public struct Row: Equatable, Sendable {
        public let line: Int
        public let buyer: String
        public let date: LocalDate
        public let place: String
        public let region: RegionCode
        public let seller: String
        public let variety: String
        public let quantity: Quantity
        public let amount: Fen
        public let note: String
        /// 用途 read from the note ("用于机关食堂"), or nil when it does not say.
        public var purpose: PurchasePurpose? { PurchasePurpose.guess(from: note) }
        /// 带动户数 read from the note ("带动贫困户12户").
        public var householdsTouched: HouseholdsTouched { HouseholdsTouched.read(note) }
    }

    public struct Sheet: Sendable {
        public let unit: String, contact: String, phone: String, date: String
        public let rows: [Row]
    }

    /// Every problem of every row is reported, named by the form's own column; any problem rejects the sheet.
    public static func parse(_ cells: [[String]], form: Form, today: LocalDate, resolve: (String) -> RegionCode?) throws(ImportRejected) -> Sheet {
        let table = try FormTable(cells, anchor: "产品品种", aliases: aliases, required: required, form: form.name)
        let shown = ["时间": form.columns[2], "数量": form.columns[6], "金额": form.columns[7]]
        var errors: [RowError] = [], rows: [Row] = []
        for cell in table.lines {
            var rowErrors: [RowError] = []
            func fail(_ key: String, _ code: String, _ message: String) {
                rowErrors.append(RowError(row: cell.number, column: shown[key] ?? key, code: code, message: message))
            }
            for key in ["采购单位", "贫困户姓名", "产品品种"] where cell[key].isEmpty { fail(key, "required", "\(key)不能为空") }
            let date = LocalDate(cell["时间"])
            if date == nil { fail("时间", "invalid", "\(shown["时间"]!)“\(cell["时间"])”应为日期，如“2019.9.1”") }
            if let date, date > today { fail("时间", "future", "\(shown["时间"]!)不能晚于今天") }
            let region = cell["地区"].isEmpty ? nil : resolve(cell["地区"])
            if region == nil { fail("地区", "unknown_region", "地区“\(cell["地区"])”对应不到区划") }
            let quantity = Quantity.parse(cell["数量"])
            if quantity == nil { fail("数量", "invalid", "\(shown["数量"]!)“\(cell["数量"])”应为正数加单位，如“30斤”") }
            let amount = Fen.parse(cell["金额"]).flatMap { $0 > .zero ? $0 : nil }
            if amount == nil { fail("金额", "invalid", "\(shown["金额"]!)“\(cell["金额"])”应为正的金额，如“90元”") }
            if rowErrors.isEmpty, let date, let region, let quantity, let amount {
                rows.append(Row(line: cell.number, buyer: cell["采购单位"], date: date, place: cell["地区"], region: region,
                                seller: cell["贫困户姓名"], variety: cell["产品品种"], quantity: quantity, amount: amount, note: cell["备注"]))
            }
            errors += rowErrors
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        guard !rows.isEmpty else {
            throw ImportRejected([RowError(row: table.headerIndex + 2, column: "表格", code: "empty", message: "表格中没有数据行")])
        }
        let h = table.headerBlock(headerLabels)
        return Sheet(unit: h["填报单位"] ?? "", contact: h["供货联系人姓名"] ?? "", phone: h["联系方式"] ?? "", date: h["填报时间"] ?? "", rows: rows)
    }

    /// The 备注 written back: the row's own note, then what the row knows that the note does not say (its
    /// purpose, its households), so that the export reads back into the same row.
    public static func note(kept: String?, purpose: PurchasePurpose, households: Int?) -> String {
        let text = kept ?? ""
        var parts = text.isEmpty ? [] : [text]
        if purpose != .other, PurchasePurpose.guess(from: text) != purpose { parts.append("用于" + purpose.chineseName) }
        if let households, HouseholdsTouched.read(text) != .count(households) { parts.append("带动贫困户\(households)户") }
        return parts.joined(separator: "，")
    }

    /// The rows of a filled-in form: title, header block, column names, numbered data.
    public static func sheet(_ form: Form, unit: String, contact: String, phone: String, date: String, rows: [[String]]) -> [[String]] {
        [[form.title],
         ["填报单位：\(unit)", "", "供货联系人姓名：\(contact)", "", "联系方式：\(phone)", "", "填报时间：\(date)"],
         form.columns]
        + rows.enumerated().map { [String($0.offset + 1)] + $0.element }
    }
}

extension PurchasePurpose {
    /// Reads the 备注 of 附件3 ("用于机关食堂", "工会福利", "慰问") into a purpose.
    public static func guess(from note: String) -> PurchasePurpose? {
        if let exact = PurchasePurpose(codeOrName: note) { return exact }
        let words: [(String, PurchasePurpose)] = [("食堂", .canteen), ("工会", .unionWelfare), ("福利", .unionWelfare), ("慰问", .condolence),
                                                  ("原材料", .rawMaterial), ("原料", .rawMaterial), ("个人", .personal), ("自用", .personal)]
        return words.first { note.contains($0.0) }?.1
    }
}
