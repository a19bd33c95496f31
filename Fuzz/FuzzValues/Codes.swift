import BangfuKit
import FuzzSupport

/// Dates, region codes, ID numbers: a parsed value's own text parses to it again, and the region arithmetic holds.
enum Codes {
    static func check(_ text: String) {
        if let d = LocalDate(text) {
            expect(LocalDate(d.description) == d, "\(text.debugDescription) → \(d), which does not read back")
            _ = YearPace.basisPoints(through: d)
        }
        if let r = RegionCode(text) { region(r) }
        if let id = ResidentID(text) {
            expect(ResidentID(id.value) == id, "ID \(text.debugDescription) does not read back")
            _ = Mask.idNumber(id.value)
        }
        if let code = CreditCode(text) {
            expect(CreditCode(code.value) == code, "credit code \(text.debugDescription) does not read back")
            _ = code.regionPrefix
        }
        if let at = TrackingSheet.time(text) {
            expect(TrackingSheet.time(at) == at,
                "tracking time \(text.debugDescription) → \(at), which does not read back")
        }
        _ = CreditCode.checkCharacter(for: text)
        _ = ResidentID.checkCharacter(for: text)
    }

    /// Every ancestor of a code contains it and sits above it; the nominal parent is one of them.
    static func region(_ r: RegionCode) {
        expect(RegionCode(r.digits) == r && r.contains(r), "region \(r) does not read back or contain itself")
        for level in RegionCode.Level.allCases {
            guard let a = r.ancestor(at: level) else { continue }
            expect(a.level <= level && a.level < r.level && a.contains(r), "ancestor \(a) of \(r) at \(level)")
        }
        if let p = r.nominalParent { expect(p.contains(r) && p != r, "nominal parent \(p) of \(r)") }
    }
}
