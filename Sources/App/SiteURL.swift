import Vapor

/// Every path of the site and the API, used both to register routes and to build links.
enum SiteURL: String, CaseIterable {
    case home = "/"
    case healthz = "/healthz"
    case openAPI = "/openapi.json"
    case login = "/login"
    case logout = "/logout"
    case password = "/account/password"
    case tokens = "/account/tokens"
    case tokenRevoke = "/account/tokens/:id/revoke"
    case regions = "/regions"
    case offices = "/offices"
    case suppliers = "/suppliers"
    case supplierNew = "/suppliers/new"
    case buyers = "/buyers"
    case buyerNew = "/buyers/new"
    case households = "/households"
    case householdNew = "/households/new"
    case household = "/households/:id"
    case pairings = "/pairings"
    case pairingNew = "/pairings/new"
    case audit = "/audit"
    case users = "/users"
    case userNew = "/users/new"

    case apiMe = "/api/v1/me"
    case apiRegions = "/api/v1/regions"
    case apiOffices = "/api/v1/offices"
    case apiSuppliers = "/api/v1/suppliers"
    case apiBuyers = "/api/v1/buyers"
    case apiHouseholds = "/api/v1/households"
    case apiHousehold = "/api/v1/households/:id"
    case apiPairings = "/api/v1/pairings"
    case apiAudit = "/api/v1/audit"

    var path: String { rawValue }
    var components: [PathComponent] { rawValue.pathComponents }

    func path(id: Int) -> String { rawValue.replacingOccurrences(of: ":id", with: String(id)) }
}
