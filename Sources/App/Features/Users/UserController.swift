import BangfuKit
import Fluent
import Vapor

struct UserInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .anyPlace, "systemId": .leadSystem, "buyerUnitId": .buyerUnit,
                                            "supplierId": .supplier]
    var username: String?
    var displayName: String?
    var password: String?
    var role: String?
    var regionCode: String?
    var systemId: Int?
    var buyerUnitId: Int?
    var supplierId: Int?

    init(form f: [String: String]) {
        username = f.text("username"); displayName = f.text("displayName"); password = f["password"]
        role = f.text("role"); regionCode = f.text("regionCode"); systemId = f.int("systemId")
        buyerUnitId = f.int("buyerUnitId"); supplierId = f.int("supplierId")
    }
}

struct UserDTO: Content {
    let id: Int
    let username: String
    let displayName: String
    let role: String
    let roleName: String
    let regionCode: String?
    let systemId: Int?
    let buyerUnitId: Int?
    let supplierId: Int?
    let active: Bool

    init(_ u: User) {
        id = u.id!; username = u.username; displayName = u.displayName; role = u.role
        roleName = Role(rawValue: u.role)?.chineseName ?? u.role; regionCode = u.regionCode
        systemId = u.$system.id; buyerUnitId = u.$buyerUnit.id; supplierId = u.$supplier.id
        active = u.isActive
    }
}

extension Role: ChineseNamed {}

/// Accounts are made by the administrator; each role must carry the anchor its scope needs.
enum UserController {
    static let template = "users/new"
    static var options: [String: [FormPage.Option]] { ["role": Role.options] }

    static func create(_ input: UserInput, by origin: Audit.Origin, on db: any Database, hasher: any PasswordHasher) async throws -> User {
        let u = User()
        u.username = try FormValue.text(input.username, "username", "用户名", max: 40)
        guard u.username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw FieldError.invalid("username", "用户名", "只能使用字母、数字和 . _ -")
        }
        u.displayName = try FormValue.text(input.displayName, "displayName", "姓名", max: 40)
        let role: Role = try FormValue.choice(input.role, "role", "角色")
        u.role = role.rawValue
        try PasswordRule.check(input.password ?? "", field: "password")
        u.passwordHash = try hasher.hash(input.password!)
        u.isActive = true
        switch role {
        case .admin: break
        case .office, .clerk:
            let code = try FormValue.region(input.regionCode)
            guard try await Region.find(code.digits, on: db) != nil else {
                throw FieldError(field: "regionCode", code: "unknown_region", message: "区划代码 \(code) 不存在")
            }
            if role == .clerk, code.level < .township {
                throw FieldError(field: "regionCode", code: "invalid", message: "填报员应绑定到乡镇或村")
            }
            u.regionCode = code.digits
        case .leadUnit:
            guard let id = input.systemId, try await LeadSystem.find(id, on: db) != nil else { throw FieldError.required("systemId", "所属系统") }
            u.$system.id = id
        case .buyer:
            guard let id = input.buyerUnitId, try await BuyerUnit.find(id, on: db) != nil else { throw FieldError.required("buyerUnitId", "采购单位") }
            u.$buyerUnit.id = id
        case .supplier:
            guard let id = input.supplierId, try await Supplier.find(id, on: db) != nil else { throw FieldError.required("supplierId", "供给主体") }
            u.$supplier.id = id
        }
        if try await User.query(on: db).filter(\.$username == u.username).count() > 0 {
            throw APIError.conflict("username", "用户名 \(u.username) 已被使用")
        }
        try await db.writeTransaction { tx in
            try await u.create(on: tx)
            try await Audit.record(origin, on: tx, action: "create", entity: "user", id: u.id, region: u.regionCode, after: UserDTO(u))
        }
        return u
    }

    @Sendable static func index(req: Request) async throws -> View {
        let users = try await User.query(on: req.db).sort(\.$id).all().map(UserDTO.init)
        return try await req.view.render("users/index", ListPage(shell: Shell(req), rows: users, canCreate: true))
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: UserInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, UserInput.self, options: options) {
            _ = try await create($0, by: .request(req), on: req.db, hasher: req.password.sync)
            return SiteURL.users.path
        }
    }
}
