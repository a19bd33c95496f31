import BangfuKit
import Fluent

/// 结对/帮扶关系: who helps whom, of which kind, for how long.
final class Pairing: Model, @unchecked Sendable {
    static let schema = "pairings"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: String
    @OptionalParent(key: "helper_unit_id") var helperUnit: BuyerUnit?
    @OptionalField(key: "helper_region_code") var helperRegionCode: String?
    @Field(key: "helped_region_code") var helpedRegionCode: String
    @Field(key: "starts_on") var startsOn: String   // LocalDate, ISO
    @OptionalField(key: "ends_on") var endsOn: String?
    @OptionalField(key: "note") var note: String?
    /// A pairing that names a village counts purchases from that village; set, from the village's whole township.
    @Field(key: "match_township") var matchTownship: Bool
    /// proposed (by one side's office, across counties) or confirmed; only confirmed pairings count.
    @Field(key: "status") var status: String
    /// The region of the office that proposed it, and who confirmed it.
    @OptionalField(key: "proposed_by") var proposedBy: String?
    @OptionalField(key: "confirmed_by") var confirmedBy: String?

    init() {}

    static let proposed = "proposed", confirmed = "confirmed"

    /// The two sides' places: the helper's region (or its unit's) and the helped region.
    func sides(helperUnitRegion: String?) -> [String] {
        [helperRegionCode ?? helperUnitRegion, helpedRegionCode].compactMap { $0 }
    }

    /// The place whose purchases count for the helper: the helped region, or a helped village's township.
    var countedPlace: RegionCode? {
        guard let helped = RegionCode(helpedRegionCode) else { return nil }
        guard matchTownship, helped.level == .village else { return helped }
        return helped.ancestor(at: .township) ?? helped
    }
}
