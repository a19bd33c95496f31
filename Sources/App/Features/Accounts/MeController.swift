import Vapor

/// Who the token belongs to and what it may reach.
enum MeController {
    @Sendable static func show(req: Request) async throws -> UserDTO { UserDTO(req.currentUser!) }
}
