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

    init() {}

    /// The place whose purchases count for the helper: the helped region, or a helped village's township.
    var countedPlace: RegionCode? {
        guard let helped = RegionCode(helpedRegionCode) else { return nil }
        guard matchTownship, helped.level == .village else { return helped }
        return helped.ancestor(at: .township) ?? helped
    }
}
