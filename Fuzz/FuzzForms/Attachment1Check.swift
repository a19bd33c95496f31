import BangfuKit
import FuzzSupport

/// 附件1 reads what offices fill in and writes it back in the same form: a sheet it accepted, written back and
/// exported as spreadsheets are (formula-guarded), reads back to the same header and rows.
enum Attachment1Check {
    static func check(_ cells: [[String]]) {
        guard let sheet = try? Attachment1.parse(cells, resolve: resolve) else { return }
        expect(sheet.rows.count <= cells.count, "more rows than the sheet has")
        let written = Attachment1.sheet(header: sheet.header, rows: sheet.rows.map(Self.cells))
        let again: Attachment1.Sheet
        do { again = try Attachment1.parse(exported(written), resolve: resolve) } catch {
            return expect(false, "written 附件1 does not read back: \(error.errors)\n\(written)")
        }
        expect(again.header == sheet.header, "header \(sheet.header) read back as \(again.header)")
        let before = sheet.rows.map(Self.cells), after = again.rows.map(Self.cells)
        expect(before == after, "rows \(before) read back as \(after)")
    }

    static func cells(_ row: Attachment1.Row) -> [String] {
        [row.place, row.seller, row.variety, row.quantity.description, row.price.description, row.method.chineseName,
         row.shopURL ?? "", "\(row.contact.name) \(row.contact.phone)", row.note ?? ""]
    }
}

/// Every cell as an export writes it (`XLSX.write` and `CSV.line` both neutralise formulas).
func exported(_ rows: [[String]]) -> [[String]] {
    rows.map { $0.map(FormulaGuard.neutralised) }
}
