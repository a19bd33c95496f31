/// Matching many needs at once (after a catalogue import): the offers of a variety are ordered once, and each
/// need takes its helped places' offers and then the first usable ones of that order, instead of sorting every
/// offer for every need. The result is `rank`'s, cut at `limit` — the one rule stays `rank`.
extension NeedMatching {
    public struct Prepared: Sendable {
        /// In the order `rank` gives a need without helped places or marks: 原深度贫困 first, then price, then id.
        let offers: [Offer]

        public init(_ offers: [Offer]) {
            self.offers = offers.sorted { a, b in
                (a.deepPoverty ? 0 : 1, a.price.fen.value, a.id) < (b.deepPoverty ? 0 : 1, b.price.fen.value, b.id)
            }
        }
    }

    /// The first `limit` matches of `rank(need, offers)`.
    public static func top(_ need: Need, _ prepared: Prepared, market: Fen? = nil, limit: Int) -> [Match] {
        guard need.marks.isEmpty else { return Array(rank(need, prepared.offers, market: market).prefix(limit)) }
        let isHelped = { (o: Offer) in need.helpedPlaces.contains { $0.contains(o.place) } }
        let helped = need.helpedPlaces.isEmpty ? [] : prepared.offers.filter(isHelped)
        let first = rank(need, helped, market: market)
        var rest: [Offer] = []
        for o in prepared.offers where rest.count + first.count < limit {
            if usable(o, for: need), need.helpedPlaces.isEmpty || !isHelped(o) { rest.append(o) }
        }
        return Array((first + rank(need, rest, market: market)).prefix(limit))
    }
}
