import BangfuKit
import Foundation
import FuzzSupport

enum Workbook {
    /// Limits a few mutated bytes can reach, so every refusal path is exercised, not just the happy one.
    static let limits: SheetLimits = {
        var l = SheetLimits()
        l.entryBytes = 1 << 20
        l.archiveBytes = 2 << 20
        l.rows = 200
        l.columns = 50
        l.cells = 2_000
        return l
    }()

    /// Whatever the bytes, the reader returns no more than the limits allow, or throws.
    static func check(_ data: Data) {
        guard let rows = try? XLSX.read(data, limits: limits) else { return }
        expect(rows.count <= limits.rows, "\(rows.count) rows, limit \(limits.rows)")
        expect(rows.allSatisfy { $0.count <= limits.columns }, "a row wider than \(limits.columns) columns")
        let cells = rows.reduce(0) { $0 + $1.count }
        expect(cells <= limits.cells, "\(cells) cells, limit \(limits.cells)")
    }
}
