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
    /// Keyed hash of the ID number: finds duplicates without storing the number in clear.
    @Field(key: "id_lookup") var idLookup: String
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
        h.idLookup = cipher.lookupHash(id.value)
        h.phoneSealed = try phone.map(cipher.seal); h.phoneMasked = phone.map(Mask.phone)
        return h
    }
}
