import BangfuKit
import Vapor

/// Turns thrown errors into the API's JSON error shape under /api, and into a Chinese error page elsewhere.
/// Internal details go to the log, never to the client.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let api = Self.normalise(error)
            if api.status == .internalServerError {
                request.logger.report(error: error)
            } else if api.status == .serviceUnavailable {
                request.logger.warning("database unavailable: \(String(describing: error))")
            }
            if request.url.path.hasPrefix("/api/") || request.url.path == "/healthz" {
                let body = ErrorBody(error: .init(code: api.code, message: api.message, field: api.field))
                let response = try await body.encodeResponse(status: api.status, for: request)
                if api.status == .unauthorized {
                    response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
                }
                Self.addRetryAfter(response, api)
                return response
            }
            if api.status == .unauthorized {
                return request.redirect(to: SiteURL.login.path)
            }
            // The signed-in layout and menu stay, so a refused or missing page leaves the person where they were.
            // (Not when the database is what failed: it would wait for it again.)
            if api.status != .serviceUnavailable { _ = try? await Authentication.user(for: request) }
            let page = ErrorPage(shell: Shell(request), status: Int(api.status.code), message: api.message)
            let response = try await request.render("error", page, status: api.status)
            Self.addRetryAfter(response, api)
            return response
        }
    }

    private static func addRetryAfter(_ response: Response, _ api: APIError) {
        guard api.status == .serviceUnavailable else { return }
        response.headers.replaceOrAdd(name: .retryAfter, value: String(DatabaseUnavailable.retryAfterSeconds))
    }

    static func normalise(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as FieldError: return .invalid(e)
        case let e as ImportRejected:
            let first = e.errors.first
            return APIError(status: .unprocessableEntity, code: first?.code ?? "rejected",
                            message: first.map { "第\($0.row)行\($0.column)：\($0.message)" } ?? "文件被拒绝")
        case let e where DatabaseUnavailable.matches(e):
            return APIError(status: .serviceUnavailable, code: "database_unavailable",
                            message: "数据库暂时无法访问，请稍后再试")
        case let e as DecodingError: return APIError(status: .badRequest, code: "bad_request", message: "请求格式不正确：\(e.fieldName ?? "")")
        case let e as any AbortError where e.status == .notFound:
            return APIError(status: .notFound, code: "not_found", message: "页面不存在")
        case let e as any AbortError where e.status.code < 500:
            return APIError(status: e.status, code: "bad_request", message: "请求无效：\(e.reason)")
        default:
            return APIError(status: .internalServerError, code: "internal", message: "服务器内部错误，请稍后再试")
        }
    }
}

struct ErrorPage: Encodable {
    let shell: Shell
    let status: Int
    let message: String
}

private extension DecodingError {
    var fieldName: String? {
        switch self {
        case .keyNotFound(let k, _): k.stringValue
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c.codingPath.last?.stringValue
        @unknown default: nil
        }
    }
}
