import Fluent
import Vapor

/// Offices are public bodies: every signed-in user may see the directory.
enum OfficeController {
    static func list(_ req: Request) async throws -> [OfficeDTO] {
        try await Office.query(on: req.db).sort(\.$regionCode).sort(\.$name).all().map(OfficeDTO.init)
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("offices/index", ListPage(shell: Shell(req), rows: try await list(req)))
    }

    @Sendable static func apiIndex(req: Request) async throws -> [OfficeDTO] { try await list(req) }
}
