/// A collected price — "1.2元/斤", "2400元/吨", "0.9" with the unit in its own column — brought to the monitored
/// product's base unit: 分 per 公斤 for goods sold by weight, 分 per its own unit (枚, 箱) otherwise. Series from
/// different sources and units then compare as integers.
public enum PriceQuote {
    public static let weightBase = "公斤"
    /// The dearest price taken: 1,000万元 per base unit. Beyond it a price is a typing error, and ratios of prices stay
    /// far inside what the arithmetic holds.
    public static let ceilingFen: Int64 = 1_000_000_000

    /// The unit prices of a product are kept in.
    public static func baseUnit(of productUnit: String) -> String {
        Weights.gramsPer[productUnit] == nil ? productUnit : weightBase
    }

    /// 分 per base unit, rounded half up; an error naming `field` when the unit is missing or cannot be converted.
    public static func normalise(_ text: String, unit given: String?, productUnit: String,
                                 field: String = "price") -> Result<Int64, FieldError> {
        let spelled = text.trimmed.replacingOccurrences(of: "元/", with: "/")
            .replacingOccurrences(of: "元／", with: "/")
        guard let price = UnitPrice.parse(spelled) else {
            return .failure(FieldError(field: field, code: "bad_price",
                                       message: "价格“\(text)”无法识别，如 1.20 或 1.2元/斤"))
        }
        let stated = price.unit ?? given.map { $0.trimmed.replacingOccurrences(of: "元/", with: "") }
        guard let unit = stated, !unit.isEmpty else {
            return .failure(FieldError(field: "unit", code: "unit_required",
                message: "请注明价格单位，如 元/斤"))
        }
        guard convertible(unit, to: productUnit) else {
            return .failure(FieldError(field: "unit", code: "unit_mismatch",
                                       message: "单位“\(unit)”无法换算为本品种的计价单位“\(productUnit)”"))
        }
        return perBase(price.fen.value, unit: unit, productUnit: productUnit).map(Result.success)
            ?? .failure(FieldError(field: field, code: "out_of_range",
                                   message: "价格“\(text)”超出合理范围（每公斤0.01元至1000万元）"))
    }

    /// `fen` per `unit` as 分 per the product's base unit; nil when the units do not convert or it overflows.
    public static func perBase(_ fen: Int64, unit: String, productUnit: String) -> Int64? {
        guard fen > 0 else { return nil }
        guard Weights.gramsPer[productUnit] != nil else { return unit == productUnit && fen <= ceilingFen ? fen : nil }
        guard let grams = Weights.gramsPer[unit] else { return nil }
        let (scaled, overflow) = fen.multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return nil }
        let rounded = (scaled + grams / 2) / grams
        return rounded > 0 && rounded <= ceilingFen ? rounded : nil
    }

    /// Whether prices in `unit` convert to the product's: weights to weights, a count unit only to itself.
    public static func convertible(_ unit: String, to productUnit: String) -> Bool {
        Weights.gramsPer[productUnit] == nil ? unit == productUnit : Weights.gramsPer[unit] != nil
    }

    /// 分 per the product's own unit (per 斤 for a product priced by the 斤), as a decimal for charts.
    public static func inProductUnit(_ perBase: Int64, productUnit: String) -> Double {
        guard let grams = Weights.gramsPer[productUnit] else { return Double(perBase) }
        return Double(perBase) * Double(grams) / 1_000
    }

    /// "1.20元/斤".
    public static func text(_ perBase: Int64, productUnit: String) -> String {
        let fen = min(inProductUnit(perBase, productUnit: productUnit).rounded(), 1e15)
        return Decimals.format(Int64(fen), scale: 100) + "元/" + productUnit
    }
}

extension PriceQuote {
    /// A collected price far from its peers that week (at least three other places' median) or from its own
    /// series' week before: half again or half as much. Flagged for the office, never dropped.
    public static func isOutlier(_ price: Int64, peers: [Int64], previous: Int64?, farBP: Int64 = 5_000) -> Bool {
        func far(_ reference: Int64) -> Bool {
            reference > 0 && Double(abs(price - reference)) * 10_000 >= Double(reference) * Double(farBP)
        }
        if peers.count >= 3, let median = PriceWatch.median(peers) { return far(median) }
        return previous.map(far) ?? false
    }
}
