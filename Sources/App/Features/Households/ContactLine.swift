import BangfuKit
import Fluent
import Foundation

/// 供货联系人 and phone. An organisation's line is public; a household's is its own identity: sealed at rest,
/// masked in the plain columns, opened only for those with the need (the office editing it, its own exports).
struct ContactLine: Equatable, Sendable {
    var name: String
    var phone: String

    /// The sealed form: name and phone on two lines.
    func sealed(_ cipher: FieldCipher) throws -> String { try cipher.seal(name + "\n" + phone) }

    static func opened(_ sealed: String, _ cipher: FieldCipher) throws -> ContactLine {
        let parts = try cipher.open(sealed).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return ContactLine(name: String(parts.first ?? ""), phone: parts.count > 1 ? String(parts[1]) : "")
    }

    var masked: ContactLine { ContactLine(name: Mask.name(name), phone: Mask.phone(phone)) }

    /// The plain columns and the sealed one as an offer keeps the line: in clear for an organisation, masks and the
    /// sealed line for a household.
    func stored(household: Bool, cipher: FieldCipher) throws -> (name: String, phone: String, sealed: String?) {
        guard household else { return (name, phone, nil) }
        let shown = masked
        return (shown.name, shown.phone, try sealed(cipher))
    }
}

extension Offer {
    /// Writes the line: in clear for an organisation's offer, sealed with masks for a household's.
    func setContact(_ line: ContactLine, household: Bool, cipher: FieldCipher) throws {
        if household, let sealed = contactSealed, (try? ContactLine.opened(sealed, cipher)) == line { return }
        (contactName, contactPhone, contactSealed) = try line.stored(household: household, cipher: cipher)
    }

    func contact(opened cipher: FieldCipher) throws -> ContactLine {
        try contactSealed.map { try ContactLine.opened($0, cipher) } ?? ContactLine(name: contactName,
            phone: contactPhone)
    }
}

extension Supplier {
    func setContact(name: String?, phone: String?, cipher: FieldCipher) throws {
        guard kind == SupplierKind.household.rawValue, name != nil || phone != nil else {
            (contactName, contactPhone, contactSealed) = (name, phone, nil)
            return
        }
        let line = ContactLine(name: name ?? "", phone: phone ?? "")
        (contactName, contactPhone, contactSealed) = (name.map(Mask.name), phone.map(Mask.phone),
            try line.sealed(cipher))
    }
}

extension ContactLine {
    /// Seals the household lines stored in clear before contacts were sealed (migration `SealHouseholdContacts`).
    static func sealStoredHouseholdContacts(on db: any Database, cipher: FieldCipher) async throws {
        let suppliers = try await Supplier.query(on: db).filter(\.$kind == SupplierKind.household.rawValue)
            .filter(\.$contactSealed == nil).all()
        for s in suppliers where s.contactName != nil || s.contactPhone != nil {
            try s.setContact(name: s.contactName, phone: s.contactPhone, cipher: cipher)
            try await s.save(on: db)
        }
        // Only the columns this step reads: later migrations add others the offers table does not have yet.
        let offers = try await Offer.query(on: db).filter(\.$contactSealed == nil)
            .field(\.$id).field(\.$supplier.$id).field(\.$sellerSealed).field(\.$contactName).field(\.$contactPhone)
            .field(\.$contactSealed)
            .with(\.$supplier).all()
        for o in offers where o.isHouseholds(cipher: cipher) {
            try o.setContact(ContactLine(name: o.contactName, phone: o.contactPhone), household: true, cipher: cipher)
            try await o.save(on: db)
        }
    }
}

extension Offer {
    /// A household's offer: its supplier is a household, or, with no supplier, the seller is no organisation.
    func isHouseholds(cipher: FieldCipher) -> Bool {
        if let supplier = $supplier.value, let s = supplier { return s.kind == SupplierKind.household.rawValue }
        return !SellerName.isOrganisation((try? cipher.open(sellerSealed)) ?? "")
    }
}
