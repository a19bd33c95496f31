import BangfuKit
import Foundation
import Vapor

/// Import reports carry RowErrors as JSON.
extension RowError: Content {}

/// Where "today" comes from: the Shanghai calendar day, or a fixed day set by tests.
struct TodayKey: StorageKey { typealias Value = @Sendable () -> LocalDate }

extension Application {
    var today: LocalDate { (storage[TodayKey.self] ?? { ShanghaiCalendar.day(of: Date()) })() }
}

extension Request {
    /// Today in Shanghai: periods, freshness, validity and deadlines are all reckoned from it.
    var today: LocalDate { application.today }
}
