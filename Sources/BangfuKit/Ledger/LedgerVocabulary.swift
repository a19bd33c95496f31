/// 用途 of a purchase (seed 003 附件3 备注: 用于机关食堂 …; seed 000: 工会福利, 慰问品).
public enum PurchasePurpose: String, ChineseNamed, Codable {
    case canteen, unionWelfare, condolence, rawMaterial, personal, other
    public var chineseName: String {
        switch self {
        case .canteen: "食堂"
        case .unionWelfare: "工会福利"
        case .condolence: "慰问品"
        case .rawMaterial: "原材料"
        case .personal: "个人消费"
        case .other: "其他"
        }
    }
}

/// Where a ledger row came from (seed 003's three sources, plus platforms and manual entry).
public enum PurchaseSource: String, ChineseNamed, Codable {
    case platform, townshipReport, leadUnitReport, manual, correction, order
    public var chineseName: String {
        switch self {
        case .platform: "平台上报"
        case .townshipReport: "乡镇销售情况表（附件2）"
        case .leadUnitReport: "牵头单位采购情况表（附件3）"
        case .manual: "单位填报"
        case .correction: "冲正更正"
        case .order: "本平台订单"
        }
    }
}

public enum VerificationState: String, ChineseNamed, Codable {
    case pending, verified, rejected
    public var chineseName: String {
        switch self {
        case .pending: "待核实"
        case .verified: "已核实"
        case .rejected: "未通过"
        }
    }
}

/// Which rows a total may count (seed 000 报送机制): platform-reported rows count as reported;
/// every other row only once an office has verified its proof; a row linked as a duplicate never.
public enum LedgerCounting {
    public static func counts(viaPlatform: Bool, state: VerificationState, isDuplicate: Bool) -> Bool {
        guard !isDuplicate, state != .rejected else { return false }
        return viaPlatform || state == .verified
    }

    /// What waits for an office (待核实): an off-platform row not yet checked. Platform rows count as reported,
    /// a reversing entry follows its original and a linked duplicate the row it duplicates, so none is checked.
    public static func awaitsCheck(viaPlatform: Bool, state: VerificationState, isReversal: Bool,
                                   isDuplicate: Bool = false) -> Bool {
        !viaPlatform && !isReversal && !isDuplicate && state == .pending
    }

    /// The state as pages show it: a platform row keeps `pending` but never waits for a check, so it reads 平台上报.
    public static func stateName(viaPlatform: Bool, state: VerificationState) -> String {
        viaPlatform && state == .pending ? "平台上报" : state.chineseName
    }

    /// Likely the same purchase arriving twice: same buyer, seller, product and amount, dates close.
    public static func likelySame(buyer a: Int, _ b: Int, seller sa: String, _ sb: String, variety va: String, _ vb: String,
                                  amount fa: Fen, _ fb: Fen, on da: LocalDate, _ db: LocalDate, windowDays: Int = 3) -> Bool {
        guard a == b, sa == sb, va == vb, fa == fb else { return false }
        return abs(da.ordinalSinceEpoch - db.ordinalSinceEpoch) <= windowDays
    }
}

extension LocalDate {
    /// Days since 1970-01-01, for differences across months and years.
    public var ordinalSinceEpoch: Int {
        let y = year - 1
        let daysBefore = y * 365 + y / 4 - y / 100 + y / 400 - 719_162
        return daysBefore + ordinal - 1
    }

    /// The day `days` after 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`).
    public init(ordinalSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month,
                  day: dayOfYear - (153 * mp + 2) / 5 + 1)
    }

    /// The month as "2026-11", the rollups' period key.
    public var monthKey: String { String(description.prefix(7)) }
}
