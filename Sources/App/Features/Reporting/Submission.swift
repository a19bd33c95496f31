import BangfuKit
import Fluent
import Foundation

/// A township's or lead unit's report for a period (报送), keyed "township:<code>" or "system:<id>".
final class Submission: Model, @unchecked Sendable {
    static let schema = "submissions"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "reporter") var reporter: String
    @Field(key: "reporter_name") var reporterName: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "period") var period: String
    @Field(key: "submitted_on") var submittedOn: String
    @Field(key: "submitted_by") var submittedBy: String

    init() {}
}

/// A jurisdiction's own due days; places without a row of their own take the nearest one above, else the seeds'.
final class CalendarSettings: Model, @unchecked Sendable {
    static let schema = "reporting_calendars"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "monthly_due_day") var monthlyDueDay: Int
    @Field(key: "quarterly_due_day") var quarterlyDueDay: Int

    init() {}

    static func calendar(for region: RegionCode, on db: any Database) async throws -> ReportingCalendar {
        let rows = try await CalendarSettings.query(on: db)
            .filter(\.$jurisdictionCode ~~ region.selfAndAncestors.map(\.digits)).all()
        guard let nearest = region.nearest(rows, \.jurisdictionCode) else { return ReportingCalendar() }
        return ReportingCalendar(monthlyDueDay: nearest.monthlyDueDay, quarterlyDueDay: nearest.quarterlyDueDay)
    }
}

/// A reminder (催报) as sent, to whoever reports for `reporter`.
final class Notice: Model, @unchecked Sendable {
    static let schema = "notices"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "reporter") var reporter: String
    @Field(key: "text") var text: String
    @Field(key: "sent_by") var sentBy: String
    @Field(key: "channel") var channel: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// Where reminders go. In-app notices always; e-mail or SMS gateways plug in here when a jurisdiction has one.
protocol ReminderChannel: Sendable {
    var name: String { get }
    func send(to reporter: String, text: String, sentBy: String, on db: any Database) async throws
}

struct InAppReminders: ReminderChannel {
    let name = "inApp"
    func send(to reporter: String, text: String, sentBy: String, on db: any Database) async throws {
        let n = Notice()
        n.reporter = reporter; n.text = text; n.sentBy = sentBy; n.channel = name
        try await n.create(on: db)
    }
}

/// Who must report in a jurisdiction: its townships and the lead systems seated in it.
struct Reporter: Sendable {
    let key: String, name: String, regionCode: String

    static func expected(in jurisdiction: RegionCode, on db: any Database) async throws -> [Reporter] {
        let towns = try await Region.query(on: db).filter(\.$id =~ jurisdiction.subtreePrefix).filter(\.$level == RegionCode.Level.township.rawValue)
            .sort(\.$id).all()
        let systems = try await LeadSystem.query(on: db).filter(\.$regionCode =~ jurisdiction.subtreePrefix).sort(\.$id).all()
        return towns.map { Reporter(key: "township:\($0.id!)", name: $0.name, regionCode: $0.id!) }
            + systems.map { Reporter(key: "system:\($0.id!)", name: $0.name, regionCode: $0.regionCode) }
    }

    /// Every key a user's notices arrive under: the reporter they speak for, their supplier or their unit.
    static func noticeKeys(of user: User?) -> [String] {
        guard let user else { return [] }
        return [of(user), user.$supplier.id.map { "supplier:\($0)" }, user.$buyerUnit.id.map { "unit:\($0)" }]
            .compactMap { $0 }
    }

    /// The reporter a signed-in user speaks for: a township's clerk or office, or a lead unit.
    static func of(_ user: User?) -> String? {
        guard let user else { return nil }
        if let s = user.$system.id { return "system:\(s)" }
        if let r = user.regionCode.flatMap(RegionCode.init), r.level == .township { return "township:\(r.digits)" }
        return nil
    }
}
