import BangfuKit
import Fluent
import Foundation

/// Warnings follow each series' newest judgement: a level above 0 keeps (or raises, as a draft) the series' one open
/// warning, 0 releases it. A warning an office released by hand stays released until the series clears (its state
/// starts a new episode); a published warning that escalates tells its area again.
enum WarningSync {
    static func apply(_ verdicts: [SeriesReads.Verdict], on db: any Database) async throws -> WarningRun.Summary {
        var summary = WarningRun.Summary()
        guard !verdicts.isEmpty else { return summary }
        let products = Array(Set(verdicts.map(\.row.product_id)))
        let regions = Array(Set(verdicts.map(\.row.region_code)))
        let known = try await PriceWarning.query(on: db).filter(\.$product.$id ~~ products)
            .filter(\.$regionCode ~~ regions).all()
        func key(_ w: PriceWarning) -> WarningRun.SeriesKey {
            .init(product: w.$product.id, region: w.regionCode, source: w.source)
        }
        let open = Dictionary(known.filter { $0.status != PriceWarning.released }.map { (key($0), $0) },
                              uniquingKeysWith: { a, _ in a })
        let handReleased = Set(known.filter { $0.status == PriceWarning.released && $0.releasedByOffice }
            .map { "\(key($0))|\($0.startedWeek)" })
        for v in verdicts {
            let state = v.judgement.state, series = v.row.series
            let started = state.startedWeek ?? v.week.key
            if let w = open[series] {
                try await follow(w, v, summary: &summary, on: db)
            } else if state.level > 0, !handReleased.contains("\(series)|\(started)") {
                let w = PriceWarning()
                w.$product.id = series.product; w.jurisdictionCode = v.product.jurisdictionCode
                w.regionCode = series.region; w.source = series.source; w.level = state.level
                w.status = PriceWarning.draft; w.startedWeek = started; w.lastWeek = v.week.key
                w.figures = v.judgement.figures.joined(separator: "；")
                try await w.create(on: db)
                summary.raised += 1
            }
        }
        return summary
    }

    /// An open warning after its series' newest week: released at level 0, else its level and figures now.
    static func follow(_ w: PriceWarning, _ v: SeriesReads.Verdict, summary: inout WarningRun.Summary,
                       on db: any Database) async throws {
        let level = v.judgement.state.level
        w.lastWeek = v.week.key
        guard level > 0 else {
            w.status = PriceWarning.released
            w.releasedWeek = v.week.key
            try await w.save(on: db)
            summary.released += 1
            return
        }
        let escalated = level > w.level
        w.level = level
        if !v.judgement.figures.isEmpty { w.figures = v.judgement.figures.joined(separator: "；") }
        try await w.save(on: db)
        guard escalated else { return }
        summary.escalated += 1
        if w.status == PriceWarning.published { try await PriceWarnings.notify(w, product: v.product, on: db) }
    }
}
