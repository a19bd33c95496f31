import BangfuKit
import FuzzSupport

/// Money and quantities: whatever parses, written the way pages and exports write it, parses to the same value.
enum Amounts {
    static func check(_ text: String) {
        if let fen = Fen.parse(text) {
            _ = fen.description
            let written = fen.yuanString
            expect(Fen.parse(written) == fen, "\(text.debugDescription) → \(written), which does not read back")
        }
        if let q = Quantity.parse(text) {
            expect(q.thousandths > 0, "\(text.debugDescription) → a quantity not positive")
            expect(Quantity.parse(q.description) == q, "\(text.debugDescription) → \(q), which does not read back")
        }
        if let p = UnitPrice.parse(text) {
            expect(p.fen > .zero, "\(text.debugDescription) → a price not positive")
            expect(UnitPrice.parse(p.description) == p, "\(text.debugDescription) → \(p), which does not read back")
        }
        if let c = Contact.parse(text) {
            let again = Contact.parse("\(c.name) \(c.phone)")
            expect(again == c, "\(text.debugDescription) → \(c), which does not read back")
        }
    }
}
