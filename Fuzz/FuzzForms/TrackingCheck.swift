import BangfuKit
import FuzzSupport

/// A carrier's tracking export, by every preset mapping: each event on a line the file has, with a waybill that is
/// a carrier's number and a time that reads back as itself.
enum TrackingCheck {
    static func check(_ cells: [[String]]) {
        for mapping in CarrierMapping.presets {
            guard let events = try? TrackingSheet.parse(cells, mapping: mapping) else { continue }
            expect(events.count < cells.count, "\(events.count) events from \(cells.count) rows")
            expect(events.allSatisfy { (2...cells.count).contains($0.line) }, "an event on a line the file lacks")
            expect(events.allSatisfy { Waybill.isNumber($0.waybill) }, "an event with a bad waybill number")
            expect(events.allSatisfy { TrackingSheet.time($0.at) == $0.at }, "an event time that does not read back")
        }
    }
}
