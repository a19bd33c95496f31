/// Who a user is to the platform. Each role carries the anchor its scope hangs on.
public enum Role: String, CaseIterable, Sendable, Codable {
    case admin        // 系统管理员
    case office       // 管理部门: its region's subtree
    case leadUnit     // 牵头单位: its system's buyer units
    case buyer        // 采购单位: its own unit
    case supplier     // 供给主体: its own entity
    case clerk        // 乡镇/村填报员: its own township or village

    public var chineseName: String {
        switch self {
        case .admin: "系统管理员"
        case .office: "管理部门"
        case .leadUnit: "牵头单位"
        case .buyer: "采购单位"
        case .supplier: "供给主体"
        case .clerk: "乡镇/村填报员"
        }
    }
}

/// The signed-in user as the policy sees them.
public struct Actor: Sendable, Equatable {
    public let userID: Int
    public let role: Role
    public let regionCode: RegionCode?
    public let systemID: Int?
    public let buyerUnitID: Int?
    public let supplierID: Int?

    public init(userID: Int, role: Role, regionCode: RegionCode? = nil, systemID: Int? = nil,
                buyerUnitID: Int? = nil, supplierID: Int? = nil) {
        self.userID = userID; self.role = role; self.regionCode = regionCode
        self.systemID = systemID; self.buyerUnitID = buyerUnitID; self.supplierID = supplierID
    }
}
