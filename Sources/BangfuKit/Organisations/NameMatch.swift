/// How close a name written in a sheet is to a registered one (云阳县教委 to 云阳县教育委员会): the share of
/// the written name's characters found, in order, in the registered name (their longest common subsequence),
/// so that abbreviations, which keep characters and drop others, score high.
public enum NameMatch {
    /// Similarity in 0…1000 (per mille), 1000 for the same name.
    public static func score(_ written: String, _ registered: String) -> Int {
        let a = Array(written), b = Array(registered)
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var row = [Int](repeating: 0, count: b.count + 1)
            for (j, y) in b.enumerated() {
                row[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], row[j])
            }
            previous = row
        }
        let common = previous[b.count]
        // Characters of the written name found in order, less a little for what the registered name adds.
        return common * 1000 / a.count - (b.count - common) * 1000 / (4 * max(a.count, b.count))
    }

    /// The registered names closest to `written`, best first, among those sharing at least half its characters.
    /// Names are bounded by the caller (unit names, ≤ 100 characters), so the work per pair stays small.
    public static func closest(to written: String, among names: [String], limit: Int = 3) -> [String] {
        guard written.count <= 100 else { return [] }
        let scored = names.map { ($0, score(written, $0)) }.filter { $0.1 >= 500 }
        return scored.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(limit).map(\.0)
    }
}
