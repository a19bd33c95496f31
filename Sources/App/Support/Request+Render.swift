import Vapor

extension Request {
    /// Renders a page with a status other than 200: a form shown again with its errors (422), a refused step.
    func render(_ template: String, _ context: some Encodable, status: HTTPStatus) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }
}
