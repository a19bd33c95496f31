/// 帮扶产品认定 (seed 002; 百县百品 in seed 004): a voluntary application, township first review,
/// county certification, public notice (公示) with an objection window, then a numbered certificate
/// with a validity period, under periodic review. One state machine; each step is one transition.
public enum CertificationState: String, ChineseNamed, Codable {
    case applied, townshipApproved, countyApproved, inPublicity, certified, suspended, revoked, rejected

    public var chineseName: String {
        switch self {
        case .applied: "已申请，待乡镇初审"
        case .townshipApproved: "初审通过，待县级认定"
        case .countyApproved: "县级认定通过，待公示"
        case .inPublicity: "公示中"
        case .certified: "已认定"
        case .suspended: "暂停"
        case .revoked: "已撤销"
        case .rejected: "未通过"
        }
    }
}

public enum CertificationEvent: Equatable, Sendable {
    case townshipApprove
    case townshipReject(reason: String)
    case countyApprove
    case countyReject(reason: String)
    case publish(on: LocalDate, days: Int)
    case upholdObjection(reason: String)
    case conclude(on: LocalDate, validMonths: Int)   // the window passed without an upheld objection
    case renew(until: LocalDate)
    case suspend(reason: String)
    case reinstate
    case revoke(reason: String)

    public var name: String {
        switch self {
        case .townshipApprove: "townshipApprove"
        case .townshipReject: "townshipReject"
        case .countyApprove: "countyApprove"
        case .countyReject: "countyReject"
        case .publish: "publish"
        case .upholdObjection: "upholdObjection"
        case .conclude: "conclude"
        case .renew: "renew"
        case .suspend: "suspend"
        case .reinstate: "reinstate"
        case .revoke: "revoke"
        }
    }

    var reason: String? {
        switch self {
        case .townshipReject(let r), .countyReject(let r), .upholdObjection(let r), .suspend(let r), .revoke(let r): r
        default: nil
        }
    }
}

/// Where an application stands: its state and the dates the steps set.
public struct CertificationRecord: Equatable, Sendable {
    public var state: CertificationState
    public var publicityEnds: LocalDate?
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    public var reason: String?

    public init(state: CertificationState = .applied, publicityEnds: LocalDate? = nil, validFrom: LocalDate? = nil,
                validUntil: LocalDate? = nil, reason: String? = nil) {
        self.state = state; self.publicityEnds = publicityEnds; self.validFrom = validFrom
        self.validUntil = validUntil; self.reason = reason
    }

    /// Certified and inside its validity on `day`: an expired certificate stops counting on its expiry date.
    public func counts(on day: LocalDate) -> Bool {
        guard state == .certified, let until = validUntil else { return false }
        return day < until
    }
}

public struct TransitionRefused: Error, Equatable, Sendable {
    public let code: String
    public let message: String
}

public enum Certification {
    /// Applies one event, or refuses it with a reason a person can act on.
    public static func apply(_ event: CertificationEvent, to r: CertificationRecord) throws(TransitionRefused) -> CertificationRecord {
        var next = r
        next.reason = event.reason
        if let reason = event.reason, reason.trimmed.isEmpty {
            throw TransitionRefused(code: "reason_required", message: "请填写理由")
        }
        switch (event, r.state) {
        case (.townshipApprove, .applied): next.state = .townshipApproved
        case (.townshipReject, .applied): next.state = .rejected
        case (.countyApprove, .townshipApproved): next.state = .countyApproved
        case (.countyReject, .townshipApproved), (.countyReject, .applied): next.state = .rejected
        case (.publish(let on, let days), .countyApproved):
            guard (5...30).contains(days) else { throw TransitionRefused(code: "bad_window", message: "公示期应为5到30天") }
            next.state = .inPublicity
            next.publicityEnds = on.adding(days: days)
        case (.upholdObjection, .inPublicity): next.state = .rejected
        case (.conclude(let on, let months), .inPublicity):
            guard let ends = r.publicityEnds, on >= ends else {
                throw TransitionRefused(code: "publicity_open", message: "公示期至 \(r.publicityEnds?.description ?? "") 结束，期满后才能认定")
            }
            guard (1...60).contains(months) else { throw TransitionRefused(code: "bad_validity", message: "有效期应为1到60个月") }
            next.state = .certified
            next.validFrom = on
            next.validUntil = on.adding(months: months)
        case (.renew(let until), .certified), (.renew(let until), .suspended):
            guard let current = r.validUntil, until > current else {
                throw TransitionRefused(code: "bad_validity", message: "续期后的有效期应晚于当前有效期")
            }
            next.state = .certified
            next.validUntil = until
        case (.suspend, .certified): next.state = .suspended
        case (.reinstate, .suspended): next.state = .certified
        case (.revoke, .certified), (.revoke, .suspended): next.state = .revoked
        default:
            throw TransitionRefused(code: "not_allowed", message: "当前状态“\(r.state.chineseName)”下不能执行此操作")
        }
        return next
    }

    /// Which steps a record in this state can take next (for buttons and for the API).
    public static func nextEvents(from state: CertificationState) -> [String] {
        switch state {
        case .applied: ["townshipApprove", "townshipReject", "countyReject"]
        case .townshipApproved: ["countyApprove", "countyReject"]
        case .countyApproved: ["publish"]
        case .inPublicity: ["conclude", "upholdObjection"]
        case .certified: ["renew", "suspend", "revoke"]
        case .suspended: ["reinstate", "renew", "revoke"]
        case .revoked, .rejected: []
        }
    }
}

extension LocalDate {
    /// In integers (a weekly run adds days for every series it judges; a calendar's arithmetic is slow).
    public func adding(days: Int) -> LocalDate {
        LocalDate(ordinalSinceEpoch: ordinalSinceEpoch + days)
    }

    public func adding(months: Int) -> LocalDate {
        ShanghaiCalendar.day(of: ShanghaiCalendar.calendar.date(byAdding: .month, value: months, to: startInstant)!)
    }
}
