import BangfuKit
import Vapor

struct HouseholdInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place]
    var regionCode: String?
    var status: String?
    var name: String?
    var idNumber: String?
    var phone: String?
    var members: Int?

    init(form f: [String: String]) throws {
        regionCode = f.text("regionCode"); status = f.text("status"); name = f.text("name")
        idNumber = f.text("idNumber"); phone = f.text("phone")
        if let m = f.text("members") {
            guard let n = Int(m) else { throw FieldError.invalid("members", "家庭人口") }
            members = n
        }
    }
}

/// A household as shown: masked unless the viewer has the need and the scope to read identities.
struct HouseholdDTO: Content {
    let id: Int
    let regionCode: String
    let status: String
    let statusName: String
    let name: String
    let idNumber: String
    let phone: String?
    let members: Int
    let identityVisible: Bool

    init(_ h: Household, identity: (name: String, id: String, phone: String?)? = nil) {
        id = h.id!; regionCode = h.regionCode; status = h.status
        statusName = HouseholdStatus(rawValue: h.status)?.chineseName ?? h.status
        name = identity?.name ?? h.nameMasked
        idNumber = identity?.id ?? h.idMasked
        phone = identity.map { $0.phone } ?? h.phoneMasked
        members = h.members
        identityVisible = identity != nil
    }
}
