import Foundation

/// A checked and booked ledger row not yet written: a plain value, so that an import builds a million of them
/// without the ORM's per-field objects; a form entry turns its one row into a `Purchase`.
struct PurchaseRow: Sendable {
    var buyerUnitID = 0
    var buyerRegionCode = ""
    var buyerSystemID: Int?
    var purchasedOn = ""
    var bookedOn = ""
    var originRegionCode = ""
    var supplierID: Int?
    var fromDeepPoverty = false
    var sellerMasked = ""
    var sellerKey = ""
    var householdsTouched: Int?
    var variety = ""
    var quantityThousandths: Int64 = 0
    var quantityUnit = ""
    var amountFen: Int64 = 0
    var purpose = ""
    var channelCode = ""
    var viaPlatform = false
    var source = ""
    var sourceRef: String?
    var reporter = ""
    var state = ""
    var suspectedDuplicateOf: Int?
    var duplicateOf: Int?
    var note: String?
}

extension Purchase {
    convenience init(_ r: PurchaseRow) {
        self.init()
        $buyerUnit.id = r.buyerUnitID; buyerRegionCode = r.buyerRegionCode; buyerSystemID = r.buyerSystemID
        purchasedOn = r.purchasedOn; bookedOn = r.bookedOn; originRegionCode = r.originRegionCode; $supplier.id = r.supplierID
        fromDeepPoverty = r.fromDeepPoverty; sellerMasked = r.sellerMasked; sellerKey = r.sellerKey
        householdsTouched = r.householdsTouched; variety = r.variety; quantityThousandths = r.quantityThousandths
        quantityUnit = r.quantityUnit; amountFen = r.amountFen; purpose = r.purpose; channelCode = r.channelCode
        viaPlatform = r.viaPlatform; source = r.source; sourceRef = r.sourceRef; reporter = r.reporter; state = r.state
        suspectedDuplicateOf = r.suspectedDuplicateOf; duplicateOf = r.duplicateOf; note = r.note
    }
}
