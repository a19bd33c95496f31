import BangfuKit
import FuzzSupport

/// 附件2/附件3, read as the township's and the lead unit's form: an accepted sheet writes back and reads back the same.
enum SalesReportCheck {
    static let today = LocalDate(year: 2030, month: 1, day: 1)

    static func check(_ cells: [[String]]) {
        for form in SalesReport.Form.allCases {
            let sheet = try? SalesReport.parse(cells, form: form, today: today, resolve: resolve)
            guard let sheet else { continue }
            expect(sheet.rows.allSatisfy { $0.amount > .zero && $0.date <= today }, "a row past the checks")
            roundTrip(sheet, form)
        }
    }

    static func roundTrip(_ sheet: SalesReport.Sheet, _ form: SalesReport.Form) {
        let written = SalesReport.sheet(form, unit: sheet.unit, contact: sheet.contact, phone: sheet.phone,
                                        date: sheet.date, rows: sheet.rows.map(Self.cells))
        let again: SalesReport.Sheet
        do { again = try SalesReport.parse(exported(written), form: form, today: today, resolve: resolve) } catch {
            return expect(false, "written \(form.name) does not read back: \(error.errors)\n\(written)")
        }
        let header = [sheet.unit, sheet.contact, sheet.phone, sheet.date]
        let headerAgain = [again.unit, again.contact, again.phone, again.date]
        expect(header == headerAgain, "header \(header) read back as \(headerAgain)")
        let before = sheet.rows.map(Self.cells), after = again.rows.map(Self.cells)
        expect(before == after, "rows \(before) read back as \(after)")
    }

    static func cells(_ row: SalesReport.Row) -> [String] {
        [row.buyer, row.date.description, row.place, row.seller, row.variety, row.quantity.description,
         row.amount.yuanString, row.note]
    }
}
