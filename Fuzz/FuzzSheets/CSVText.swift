import BangfuKit
import Foundation
import FuzzSupport

/// An uploaded CSV: decoded (UTF-8 or GB18030), parsed whole and streamed from a file, which must agree.
enum CSVText {
    static func check(_ data: Data) {
        guard let text = TextDecoding.decode(data) else { return }
        let rows = CSV.parse(text)
        let kept = rows.reduce(0) { $0 + $1.reduce(0) { $0 + $1.unicodeScalars.count } }
        expect(kept <= text.unicodeScalars.count, "CSV fields hold more than the text")
        gb18030RoundTrip(text)
        if let utf8 = String(validating: data, as: UTF8.self) { streamed(data, matches: CSV.parse(utf8)) }
    }

    /// Exports to Excel users are GB18030; what they save must read back as the same text. Only when the bytes
    /// are not also valid UTF-8 (or start like a BOM), as the decoder then rightly reads them as UTF-8.
    static func gb18030RoundTrip(_ text: String) {
        guard let gb = TextDecoding.encodeGB18030(text) else {
            return expect(false, "no GB18030 for \(text.debugDescription)")
        }
        guard String(validating: gb, as: UTF8.self) == nil, !gb.starts(with: [0xEF, 0xBB, 0xBF]) else { return }
        let back = TextDecoding.decode(gb)
        expect(back == text, "GB18030 round trip: \(text.debugDescription) → \(back.debugDescription)")
    }

    static let file = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-csv-\(getpid())")

    /// `CSVReader` (imports from disk) and `CSV.parse` (in memory) read the same rows. Blank rows at the very end
    /// are left out: after the last line break a lone CR or an empty quoted field is a row [""] to the reader and
    /// nothing to the parser, and importers skip blank rows anyway.
    static func streamed(_ data: Data, matches parsed: [[String]]) {
        guard (try? data.write(to: file)) != nil, var reader = try? CSVReader(url: file) else { return }
        defer { reader.close() }
        var streamed: [[String]] = []
        while let row = reader.next() { streamed.append(row) }
        let a = withoutTrailingBlanks(streamed), b = withoutTrailingBlanks(parsed)
        expect(a == b, "CSVReader \(a.debugDescription) ≠ CSV.parse \(b.debugDescription)")
    }

    static func withoutTrailingBlanks(_ rows: [[String]]) -> [[String]] {
        var rows = rows
        while let last = rows.last, last.allSatisfy(\.isEmpty) { rows.removeLast() }
        return rows
    }
}
