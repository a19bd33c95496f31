/// What a permitted request may touch. Queries are filtered by it; writes are checked against it.
public enum Scope: Equatable, Sendable {
    case everything
    case region(RegionCode)   // the region and everything below it
    case system(Int)          // buyer units of one 牵头单位's system
    case buyerUnit(Int)
    case supplier(Int)
    case ownAccount           // only the signed-in user's own records
}

/// Every route names one action; the policy maps (action, role) to a scope or to a denial.
public enum Action: String, CaseIterable, Sendable {
    case publicPage            // anyone, signed in or not
    case ownAccount            // any signed-in user, about themself
    case viewRegions, importRegions
    case viewOffices, editOffices
    case viewSuppliers, editSuppliers
    case declareHouseholds       // a cooperative's 脱贫户 and the weights it shares its sales by
    case viewBuyers, editBuyers
    case manageSystems           // 牵头单位系统 and which units belong to each
    case viewHouseholds, editHouseholds
    case readHouseholdIdentity // full names and ID numbers: only those who work with the households
    case viewPairings, editPairings
    case viewAudit
    case manageUsers
    case viewOffers, editOffers, importOffers
    case viewCertifications, applyCertification
    case reviewInTownship        // 乡镇初审
    case certifyProducts         // 县级认定, 公示, 核查清理
    case manageBlacklist, handleComplaints
    case viewPurchases, recordPurchases, verifyPurchases
    case reportSales             // 附件2: a township reports its own sales (seed 003)
    case manageChannels          // a jurisdiction's own channel list
    case postNeeds               // 采购需求 and their matches (产销对接)
    case quoteNeeds              // sellers see the needs their offers match and answer with a quote
    case viewOrders
    case placeOrders             // the buyer's side: order, accept, pay, evaluate, cancel
    case fulfilOrders            // the seller's side: confirm, ship, tracking, confirm payment received
    case cancelOrders            // either side, before shipping, with a reason
    case manageCarriers          // carriers' tracking-export mappings
    case viewReconciliation      // 三方对账 and 可溯源率: an office's subtree, a township's own
    case reconcile               // importing carriers' waybills, running a period, deciding proposals
    case viewBenefits            // 利益联结 by village: offices
    case viewPolicies, managePolicies, declareBases, viewProgress
    case viewReporting, manageReporting   // 报送 and 催报; closing periods
    case publishBulletins
    case viewPrices              // collected prices, series and warnings of the caller's area
    case reportPrices            // a township's weekly 地头价
    case manageWarnings          // monitored products, wholesale series, rules, the weekly run, publishing
    case viewCampaigns           // emergency 消纳 campaigns: the office's, a unit's own invitations
    case runCampaigns            // opening a campaign, inviting units, closing it
    case pledgeCampaigns         // a unit's 认购 and its deliveries
}

public enum AccessPolicy {
    /// How a role's scope is anchored for an action.
    enum Anchor { case all, region, system, buyerUnit, supplier, own }

    static let rules: [Action: [Role: Anchor]] = {
        let everyone = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Anchor.all) })
        return [
            .ownAccount: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Anchor.own) }),
            .viewRegions: everyone,
            .importRegions: [.admin: .all],
            .viewOffices: everyone,
            .editOffices: [.admin: .all],
            .viewSuppliers: [.admin: .all, .office: .region, .clerk: .region, .supplier: .supplier],
            .editSuppliers: [.admin: .all, .office: .region, .clerk: .region],
            .declareHouseholds: [.office: .region, .clerk: .region, .supplier: .supplier],
            .viewBuyers: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .editBuyers: [.admin: .all, .office: .region, .leadUnit: .system],
            .manageSystems: [.admin: .all, .office: .region],
            .viewHouseholds: [.admin: .all, .office: .region, .clerk: .region],
            .editHouseholds: [.office: .region, .clerk: .region],
            // The administrator runs the system but has no need to read who the households are.
            .readHouseholdIdentity: [.office: .region, .clerk: .region],
            .viewPairings: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .editPairings: [.admin: .all, .office: .region],
            .viewAudit: [.admin: .all, .office: .region],
            .manageUsers: [.admin: .all],
            .viewOffers: [.admin: .all, .office: .region, .clerk: .region, .supplier: .supplier],
            .editOffers: [.office: .region, .clerk: .region, .supplier: .supplier],
            .importOffers: [.office: .region, .clerk: .region],
            .viewCertifications: [.admin: .all, .office: .region, .clerk: .region, .supplier: .supplier],
            .applyCertification: [.office: .region, .clerk: .region, .supplier: .supplier],
            .reviewInTownship: [.office: .region, .clerk: .region],
            .certifyProducts: [.office: .region],
            .manageBlacklist: [.office: .region],
            .handleComplaints: [.office: .region],
            .viewPurchases: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .recordPurchases: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .verifyPurchases: [.office: .region],
            .reportSales: [.office: .region, .clerk: .region],
            .manageChannels: [.office: .region],
            .postNeeds: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .quoteNeeds: [.office: .region, .clerk: .region, .supplier: .supplier],
            .viewOrders: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit,
                          .clerk: .region, .supplier: .supplier],
            .placeOrders: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .fulfilOrders: [.office: .region, .clerk: .region, .supplier: .supplier],
            .cancelOrders: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit, .clerk: .region,
                            .supplier: .supplier],
            .manageCarriers: [.admin: .all, .office: .all],
            .viewReconciliation: [.office: .region, .clerk: .region],
            .reconcile: [.office: .region],
            .viewBenefits: [.admin: .all, .office: .region],
            // Policies are public documents; progress is each one's own.
            .viewPolicies: [.admin: .all, .office: .region, .leadUnit: .all, .buyer: .all],
            .managePolicies: [.office: .region],
            .declareBases: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .viewProgress: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .viewReporting: [.office: .region, .clerk: .region, .leadUnit: .system],
            .manageReporting: [.office: .region],
            .publishBulletins: [.office: .region],
            .viewPrices: [.admin: .all, .office: .region, .clerk: .region],
            .reportPrices: [.office: .region, .clerk: .region],
            .manageWarnings: [.office: .region],
            .viewCampaigns: [.admin: .all, .office: .region, .leadUnit: .system, .buyer: .buyerUnit],
            .runCampaigns: [.office: .region],
            .pledgeCampaigns: [.office: .region, .leadUnit: .system, .buyer: .buyerUnit],
        ]
    }()

    /// The scope `actor` gets for `action`, or nil when it is denied. Anonymous callers get only public pages.
    public static func scope(of actor: Actor?, for action: Action) -> Scope? {
        if action == .publicPage { return .everything }
        guard let actor, let anchor = rules[action]?[actor.role] else { return nil }
        switch anchor {
        case .all: return .everything
        case .own: return .ownAccount
        case .region: return actor.regionCode.map(Scope.region)
        case .system: return actor.systemID.map(Scope.system)
        case .buyerUnit: return actor.buyerUnitID.map(Scope.buyerUnit)
        case .supplier: return actor.supplierID.map(Scope.supplier)
        }
    }

    public static func allows(_ actor: Actor?, _ action: Action) -> Bool { scope(of: actor, for: action) != nil }
}
