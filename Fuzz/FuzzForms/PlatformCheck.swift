import BangfuKit
import FuzzSupport

/// A platform export by the 832 mapping: at most one order per data row, on a line the file has, cells trimmed.
enum PlatformCheck {
    static func check(_ cells: [[String]]) {
        guard let orders = try? PlatformExport.orders(cells, mapping: .p832) else { return }
        expect(orders.count < cells.count, "\(orders.count) orders from \(cells.count) rows")
        expect(orders.allSatisfy { (2...cells.count).contains($0.line) }, "an order on a line the file does not have")
        expect(orders.allSatisfy { $0.amount == $0.amount.trimmed }, "an order amount not trimmed")
    }
}
