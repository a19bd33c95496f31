import Vapor

/// Serves the hand-kept OpenAPI document; a test checks it names every /api route and no other.
enum OpenAPIController {
    @Sendable static func document(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "openapi.json"
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = .json
        return response
    }
}
