import BangfuKit
import Vapor

/// What every page's layout needs: who is signed in, the menu they may use, the form token.
struct Shell: Encodable {
    struct NavItem: Encodable { let title: String; let path: String; let active: Bool }

    let userName: String?
    let roleName: String?
    let nav: [NavItem]
    let csrf: String
    /// A server started with the demo data says so on every page, so nobody takes its figures for a real county's.
    let demo: Bool

    static let menu: [(title: String, url: SiteURL, action: Action)] = [
        ("首页", .home, .ownAccount),
        ("行政区划", .regions, .viewRegions),
        ("管理部门", .offices, .viewOffices),
        ("供给主体", .suppliers, .viewSuppliers),
        ("采购单位", .buyers, .viewBuyers),
        ("牵头单位系统", .systems, .manageSystems),
        ("脱贫户", .households, .viewHouseholds),
        ("结对帮扶", .pairings, .viewPairings),
        ("操作日志", .audit, .viewAudit),
        ("待销目录", .offers, .viewOffers),
        ("产品认定", .certifications, .viewCertifications),
        ("投诉处理", .complaints, .handleComplaints),
        ("采购台账", .purchases, .viewPurchases),
        ("乡镇销售表", .sales, .reportSales),
        ("采购需求", .needs, .postNeeds),
        ("可报价需求", .openNeeds, .quoteNeeds),
        ("订单", .orders, .viewOrders),
        ("三方对账", .reconciliation, .viewReconciliation),
        ("监测预警", .warnings, .viewPrices),
        ("报送地头价", .priceReport, .reportPrices),
        ("应急消纳", .campaigns, .viewCampaigns),
        ("渠道", .channels, .manageChannels),
        ("目标进度", .progress, .viewProgress),
        ("政策规则", .policies, .viewPolicies),
        ("报送与关账", .reporting, .viewReporting),
        ("年度考核", .assessment, .viewProgress),
        ("用户管理", .users, .manageUsers),
        ("公开目录", .catalogue, .publicPage),
        ("季度通报", .bulletins, .publicPage),
        ("价格行情", .prices, .publicPage),
    ]

    /// `form`: a page a visitor fills in (login, complaint), which needs the form token without being signed in.
    /// Other public pages set no cookie at all.
    init(_ req: Request, form: Bool = false) {
        let user = req.currentUser
        userName = user?.displayName
        roleName = user.flatMap { Role(rawValue: $0.role)?.chineseName }
        let here = req.url.path
        let allowed = user == nil ? [] : Self.menu.filter { AccessPolicy.allows(user?.actor, $0.action) }
        // The most specific item holding the page is active: 报送地头价 (/prices/report), not 价格行情 (/prices).
        let active = allowed.map(\.url.path).filter { $0 == here || ($0 != "/" && here.hasPrefix($0)) }
            .max { $0.count < $1.count }
        nav = allowed.map { NavItem(title: $0.title, path: $0.url.path, active: $0.url.path == active) }
        csrf = user != nil || form || req.method == .POST ? req.csrfToken : ""
        demo = req.application.config.seedDemo
    }
}

/// A form page: the shell, the values typed so far and each field's error, shown beside the field.
struct FormPage: Encodable {
    let shell: Shell
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    var notice: String? = nil
    var options: [String: [Option]] = [:]
    var attachments: [AttachmentDTO] = []
    /// The place names a place picker offers (its datalist).
    var places: [String] = []

    init(shell: Shell) { self.shell = shell }

    /// The page's select lists: the caller's, and those its pickers fill.
    mutating func pick(_ pickers: [String: Picker], options given: [String: [Option]], req: Request) async throws {
        let chosen = try await Pickers.choices(pickers, req: req)
        options = given.merging(chosen.options) { a, _ in a }
        places = chosen.places
    }

    struct Option: Encodable { let value: String; let label: String }

    static func rerender(_ template: String, req: Request, error: FieldError, values: [String: String],
                         options: [String: [Option]] = [:], pickers: [String: Picker] = [:]) async throws -> Response {
        var page = FormPage(shell: Shell(req))
        page.values = values
        page.errors = [error.field: error.message]
        try await page.pick(pickers, options: options, req: req)
        return try await req.render(template, page, status: .unprocessableEntity)
    }
}

struct LoginPage: Encodable {
    let shell: Shell
    let error: String?
    let username: String
}

/// A list page: the shell, the rows, and whether the viewer may add rows.
struct ListPage<Row: Encodable>: Encodable {
    let shell: Shell
    let rows: [Row]
    var canCreate = false
    var filter: [String: String] = [:]
    var extra: [String: String] = [:]
}

/// A vocabulary as the options of a select.
extension ChineseNamed {
    static var options: [FormPage.Option] { allCases.map { .init(value: $0.rawValue, label: $0.chineseName) } }
}
