import BangfuKit
import Fluent

/// 脱贫户/监测户. Name, ID number and phone are stored encrypted; display columns hold only masks.
final class Household: Model, @unchecked Sendable {
    static let schema = "households"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "status") var status: String
    @Field(key: "name_sealed") var nameSealed: String
    @Field(key: "name_masked") var nameMasked: String
    @Field(key: "id_sealed") var idSealed: String
    @Field(key: "id_masked") var idMasked: String
    /// Keyed hash of county and ID number, unique: one household per person in a county. Not per country, because
    /// refusing a registration for a person known elsewhere would tell an office about another county's household.
    @Field(key: "id_lookup") var idLookup: String
    /// Keyed hash of the ID number alone: the same person in several counties, found by the office above them.
    @OptionalField(key: "person_lookup") var personLookup: String?
    @OptionalField(key: "phone_sealed") var phoneSealed: String?
    @OptionalField(key: "phone_masked") var phoneMasked: String?
    @Field(key: "members") var members: Int

    init() {}
}

extension Household {
    /// A household with its personal data sealed, masked for display and hashed for lookups.
    static func sealed(region: RegionCode, status: HouseholdStatus, name: String, id: ResidentID, phone: String?,
                       members: Int, cipher: FieldCipher) throws -> Household {
        let h = Household()
        h.regionCode = region.digits; h.status = status.rawValue; h.members = members
        h.nameSealed = try cipher.seal(name); h.nameMasked = Mask.name(name)
        h.idSealed = try cipher.seal(id.value); h.idMasked = Mask.idNumber(id.value)
        h.setLookups(id: id.value, cipher: cipher)
        h.phoneSealed = try phone.map(cipher.seal); h.phoneMasked = phone.map(Mask.phone)
        return h
    }
}

extension Household {
    func setLookups(id: String, cipher: FieldCipher) {
        idLookup = cipher.lookupHash(String(regionCode.prefix(6)) + "|" + id)
        personLookup = cipher.lookupHash(id)
    }

    /// Moves households stored before `person_lookup` to the per-county key (migration `SealHouseholdContacts`).
    static func keyByCounty(on db: any Database, cipher: FieldCipher) async throws {
        for h in try await Household.query(on: db).filter(\.$personLookup == nil).all() {
            h.setLookups(id: try cipher.open(h.idSealed), cipher: cipher)
            try await h.save(on: db)
        }
    }
}
