import BangfuKit
import Vapor

struct SupplierInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place, "householdId": .household]
    var name: String?
    var kind: String?
    var regionCode: String?
    var creditCode: String?
    var contactName: String?
    var contactPhone: String?
    var householdId: Int?

    init(form f: [String: String]) {
        name = f.text("name"); kind = f.text("kind"); regionCode = f.text("regionCode")
        creditCode = f.text("creditCode"); contactName = f.text("contactName")
        contactPhone = f.text("contactPhone"); householdId = f.int("householdId")
    }
}

struct SupplierDTO: Content {
    let id: Int
    let name: String
    let kind: String
    let kindName: String
    let regionCode: String
    let creditCode: String?
    let contactName: String?
    /// Masked: a supply contact's phone is shown in full only on offers, to buyers (issue: catalogue).
    let contactPhone: String?

    init(_ s: Supplier) {
        id = s.id!; name = s.name; kind = s.kind
        kindName = SupplierKind(rawValue: s.kind)?.chineseName ?? s.kind
        regionCode = s.regionCode; creditCode = s.creditCode
        contactName = s.contactName.map(Mask.name); contactPhone = s.contactPhone.map(Mask.phone)
    }
}

struct BuyerInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place, "systemId": .leadSystem]
    var name: String?
    var kind: String?
    var regionCode: String?
    var creditCode: String?
    var isBudgetUnit: Bool?
    var hasCanteen: Bool?
    var hasFiveIntoDuty: Bool?
    var helpLevel: String?
    var systemId: Int?

    init(form f: [String: String]) {
        name = f.text("name"); kind = f.text("kind"); regionCode = f.text("regionCode")
        creditCode = f.text("creditCode"); isBudgetUnit = f.flag("isBudgetUnit")
        hasCanteen = f.flag("hasCanteen"); hasFiveIntoDuty = f.flag("hasFiveIntoDuty")
        helpLevel = f.text("helpLevel"); systemId = f.int("systemId")
    }
}

struct BuyerDTO: Content {
    let id: Int
    let name: String
    let kind: String
    let kindName: String
    let regionCode: String
    let creditCode: String?
    let isBudgetUnit: Bool
    let hasCanteen: Bool
    let hasFiveIntoDuty: Bool
    let helpLevel: String?
    let systemId: Int?
    var regionName: String? = nil

    init(_ b: BuyerUnit) {
        id = b.id!; name = b.name; kind = b.kind; kindName = BuyerKind(rawValue: b.kind)?.chineseName ?? b.kind
        regionCode = b.regionCode; creditCode = b.creditCode; isBudgetUnit = b.isBudgetUnit
        hasCanteen = b.hasCanteen; hasFiveIntoDuty = b.hasFiveIntoDuty; helpLevel = b.helpLevel
        systemId = b.$system.id
    }
}

struct OfficeDTO: Content {
    let id: Int
    let name: String
    let kind: String
    let kindName: String
    let regionCode: String

    init(_ o: Office) {
        id = o.id!; name = o.name; kind = o.kind
        kindName = OfficeKind(rawValue: o.kind)?.chineseName ?? o.kind; regionCode = o.regionCode
    }
}
