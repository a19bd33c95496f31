/// What the public catalogue's index files a listed offer under: its name's characters and pairs (`SearchTerms`),
/// one term per thing it can be narrowed by — its category, each level of its place, each quality mark — and
/// `everything`, which every listing carries. A search walks one term's entries in the order it shows them and checks
/// the rest on the listing, so it picks the term with the fewest entries.
public enum ListingTerms {
    public static let everything = "*"

    public static func category(_ category: ProductCategory) -> String { "c:" + category.rawValue }

    /// The levels a listing is filed under: a province's catalogue is all of one province, and a village is
    /// narrowed to from its township's entries (the picker offers counties and townships).
    public static let placeLevels: Set<RegionCode.Level> = [.city, .county, .township]

    /// The place's subtree: `r:5301` is 昆明, `r:530102` a county in it.
    public static func place(_ region: RegionCode) -> String { "r:" + region.subtreePrefix }

    public static func mark(_ mark: QualityMark) -> String { "m:" + mark.rawValue }

    /// A listing without a readable place (none should be) is still found by name, category and mark.
    public static func of(variety: String, category: ProductCategory, region: RegionCode?,
                          marks: [QualityMark]) -> Set<String> {
        var terms = SearchTerms.of(variety)
        terms.insert(everything)
        terms.insert(Self.category(category))
        let places = region?.selfAndAncestors.filter { placeLevels.contains($0.level) } ?? []
        terms.formUnion(places.map(place))
        terms.formUnion(marks.map(mark))
        return terms
    }

    /// The terms a query could walk: each of its name's terms and filters'; `everything` when it has none.
    public static func candidates(text: String, category: ProductCategory?, region: RegionCode?,
                                  mark: QualityMark?) -> [String] {
        var terms = SearchTerms.query(text)
        if let category { terms.append(Self.category(category)) }
        if let region, placeLevels.contains(region.level) { terms.append(place(region)) }
        if let mark { terms.append(Self.mark(mark)) }
        return terms.isEmpty ? [everything] : terms
    }
}
