/// What the public catalogue's index files a listed offer under: its name's characters and pairs (`SearchTerms`),
/// one term per thing it can be narrowed by — its category, each level of its place, each quality mark — and
/// `everything`, which every listing carries. A search walks one term's entries in the order it shows them and checks
/// the rest on the listing, so it picks the term with the fewest entries.
public enum ListingTerms {
    public static let everything = "*"

    public static func category(_ category: ProductCategory) -> String { "c:" + category.rawValue }

    /// The place's subtree: `r:53` is 云南, `r:530102` a county in it.
    public static func place(_ region: RegionCode) -> String { "r:" + region.subtreePrefix }

    public static func mark(_ mark: QualityMark) -> String { "m:" + mark.rawValue }

    public static func of(variety: String, category: ProductCategory, region: RegionCode,
                          marks: [QualityMark]) -> Set<String> {
        var terms = SearchTerms.of(variety)
        terms.insert(everything)
        terms.insert(Self.category(category))
        terms.formUnion(region.selfAndAncestors.map(place))
        terms.formUnion(marks.map(mark))
        return terms
    }

    /// The terms a query could walk: each of its name's terms and filters'; `everything` when it has none.
    public static func candidates(text: String, category: ProductCategory?, region: RegionCode?,
                                  mark: QualityMark?) -> [String] {
        var terms = SearchTerms.query(text)
        if let category { terms.append(Self.category(category)) }
        if let region { terms.append(place(region)) }
        if let mark { terms.append(Self.mark(mark)) }
        return terms.isEmpty ? [everything] : terms
    }
}
