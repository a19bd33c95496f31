import BangfuKit
import Fluent
import Vapor

struct RegionDTO: Content {
    let code: String
    let name: String
    let level: Int
    let levelName: String
    let parentCode: String?
    let flags: [String]

    init(_ r: Region) {
        code = r.id!; name = r.name; level = r.level
        levelName = RegionCode.Level(rawValue: r.level)?.chineseName ?? ""
        parentCode = r.parentCode
        flags = [(r.isLiftedCounty, "脱贫县"), (r.isDeepPoverty, "原深度贫困"), (r.isHelpedVillage, "帮扶村"),
                 (r.isIllustrative, "示例")].filter(\.0).map(\.1)
    }
}

/// Browsing the region tree: the children of one code, with the path above it.
enum RegionController {
    struct Listing: Content { let parent: RegionDTO?; let path: [RegionDTO]; let children: [RegionDTO] }

    static func listing(_ req: Request) async throws -> Listing {
        let parentText: String? = req.query["parent"]
        guard let parentText, !parentText.isEmpty else {
            let top = try await Region.query(on: req.db).filter(\.$parentCode == nil).sort(\.$id).all()
            return Listing(parent: nil, path: [], children: top.map(RegionDTO.init))
        }
        guard let code = RegionCode(parentText), let parent = try await Region.find(code.digits, on: req.db) else {
            throw APIError(status: .notFound, code: "not_found", message: "区划代码不存在", field: "parent")
        }
        let children = try await Region.query(on: req.db).filter(\.$parentCode == parent.id).sort(\.$id).all()
        return Listing(parent: RegionDTO(parent), path: try await path(to: parent, on: req.db), children: children.map(RegionDTO.init))
    }

    /// From the root down to the region's parent.
    static func path(to region: Region, on db: any Database) async throws -> [RegionDTO] {
        let ancestors = RegionCode.Level.allCases.compactMap { region.code.ancestor(at: $0)?.digits }
        return try await Region.query(on: db).filter(\.$id ~~ ancestors).sort(\.$level).all().map(RegionDTO.init)
    }

    struct Page: Encodable { let shell: Shell; let listing: Listing }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("regions/index", Page(shell: Shell(req), listing: try await listing(req)))
    }

    @Sendable static func apiIndex(req: Request) async throws -> Listing { try await listing(req) }
}
