import BangfuKit
import FuzzSupport

/// Collected prices and market weeks: a price in any unit either converts to a positive whole 分 per base unit or is
/// refused with a field named; a week's text reads back; nothing traps.
enum Prices {
    static func check(_ text: String) {
        let parts = text.split(separator: "|", maxSplits: 2).map(String.init)
        let price = parts.first ?? "", unit = parts.count > 1 ? parts[1] : nil
        for product in ["斤", "公斤", "枚", parts.count > 2 ? parts[2] : "吨"] {
            switch PriceQuote.normalise(price, unit: unit, productUnit: product) {
            case .success(let fen):
                expect(fen > 0, "\(text.debugDescription) → a price not positive")
                _ = PriceQuote.text(fen, productUnit: product)
            case .failure(let e):
                expect(!e.field.isEmpty && !e.message.isEmpty, "\(text.debugDescription) → an error naming nothing")
            }
        }
        if let w = MarketWeek(text) {
            expect(MarketWeek(w.description) == w && MarketWeek(key: w.key) == w, "week \(text.debugDescription)")
            expect(MarketWeek(w.monday) == w && MarketWeek(w.sunday) == w, "week \(w) does not hold its own days")
            _ = PriceWatch.baselineWeeks(for: w, WarningRules())
        }
    }
}
