/// 利益联结到户: a counted amount attributed to the households behind it — the seller household itself, or a
/// cooperative's linked 脱贫户, equally or by the weights the cooperative declares. The parts sum to the amount to
/// the 分; the 分 left by division go one each to the largest remainders, ties to the lower household id.
public enum Attribution {
    public struct Share: Sendable, Equatable {
        public let household: Int
        public let amount: Fen
        public init(household: Int, amount: Fen) { self.household = household; self.amount = amount }
    }

    /// `weights`: household → weight (all 1 for equal shares); households with no positive weight get nothing.
    public static func split(_ amount: Fen, weights: [Int: Int]) -> [Share] {
        let counted = weights.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let total = counted.reduce(Int64(0)) { $0 + Int64($1.value) }
        guard total > 0, amount.value >= 0 else { return [] }
        var shares: [(household: Int, fen: Int64, remainder: Int64)] = counted.map { h, w in
            // amount × weight / total, in 128 bits: 12 digits of yuan times a large weight does not fit in 64.
            let (high, low) = amount.value.multipliedFullWidth(by: Int64(w))
            let (q, r) = total.dividingFullWidth((high, low))
            return (h, q, r)
        }
        var left = amount.value - shares.reduce(0) { $0 + $1.fen }
        for i in shares.indices.sorted(by: { (shares[$0].remainder, -shares[$0].household) > (shares[$1].remainder,
            -shares[$1].household) })
        where left > 0 {
            shares[i].fen += 1
            left -= 1
        }
        return shares.map { Share(household: $0.household, amount: Fen($0.fen)) }
    }

    /// The share of the amount the top tenth of households received (集中度), in basis points.
    public static func topTenthShareBP(_ amounts: [Fen]) -> Int {
        let sorted = amounts.map(\.value).filter { $0 > 0 }.sorted(by: >)
        guard let total = Fen.total(sorted), let top = Fen.total(Array(sorted.prefix(max(1, (sorted.count + 9) / 10))))
        else { return 0 }
        return Fen.shareBP(top, of: total) ?? 0
    }
}

/// A robust outlier score (DHIS2's modified z-score): 0.6745 × (x − median) / MAD; beyond 3.5 is an outlier.
public enum RobustScore {
    public static let threshold = 3.5

    public static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// Modified z-scores; where more than half the values are equal (MAD 0) the mean absolute deviation stands in,
    /// scaled as the MAD is (1.253314 × mean AD ≈ σ for normal data, as IBM's definition does). nil when there are
    /// too few values or none spread at all.
    public static func scores(_ xs: [Double]) -> [Double]? {
        guard xs.count >= 5, let med = median(xs), let mad = median(xs.map { abs($0 - med) }) else { return nil }
        if mad > 0 { return xs.map { 0.6745 * ($0 - med) / mad } }
        let meanAD = xs.reduce(0) { $0 + abs($1 - med) } / Double(xs.count)
        guard meanAD > 0 else { return nil }
        return xs.map { ($0 - med) / (1.253314 * meanAD) }
    }
}
