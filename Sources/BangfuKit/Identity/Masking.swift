/// Display masks for personal data (names, ID numbers, phones), for everyone without need to see them.
public enum Mask {
    /// 王小明 → 王某某
    public static func name(_ name: String) -> String {
        guard let first = name.trimmed.first else { return "" }
        return "\(first)某某"
    }

    /// 500235199001011234 → 5002****1234
    public static func idNumber(_ id: String) -> String {
        guard id.count > 8 else { return String(repeating: "*", count: id.count) }
        return "\(id.prefix(4))****\(id.suffix(4))"
    }

    /// Free text with every run of seven or more digits (a phone, an ID number) masked: what a note says in
    /// public, where a household's number must not appear whatever field it was typed in.
    public static func numbers(in text: String) -> String {
        var out = "", run = ""
        func flush() {
            out += run.count >= 7 ? (run.count >= 15 ? idNumber(run) : phone(run)) : run
            run = ""
        }
        for c in text {
            if c.isASCII && (c.isNumber || ((c == "X" || c == "x") && run.count == 17)) {
                run.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }

    /// 17723635558 → 177****5558
    public static func phone(_ phone: String) -> String {
        guard phone.count >= 7 else { return String(repeating: "*", count: phone.count) }
        return "\(phone.prefix(3))****\(phone.suffix(4))"
    }
}

/// Whether a seller named on a form is an organisation (cooperative, collective, firm, farm, township) or a
/// household. A household's contact line is its own name and phone: sealed, and masked wherever shown.
public enum SellerName {
    static let organisationWords = ["合作社", "联合社", "公司", "集体", "农场", "协会", "基地", "村", "社区", "镇",
                                    "乡", "街道", "政府", "中心", "厂", "站", "超市", "商行"]

    public static func isOrganisation(_ name: String) -> Bool {
        name.includesAny(of: organisationWords)
    }

    /// Whether a name is an organisation's own (it ends in 合作社, 公司 …), so that it may be shown unmasked:
    /// stricter than `isOrganisation`, which errs on the side of sealing ("示例村张三" is a person).
    public static func namesOrganisation(_ name: String) -> Bool {
        ["合作社", "联合社", "公司", "农场", "协会", "基地", "超市", "商行", "厂", "经济合作社", "股份经济合作联合社"]
            .contains { name.hasSuffix($0) }
    }
}
