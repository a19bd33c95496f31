import BangfuKit
import Vapor

/// The one error shape of the JSON API: a stable code, a Chinese message and, where it applies, the field.
struct APIError: AbortError, Sendable {
    let status: HTTPResponseStatus
    let code: String
    let message: String
    var field: String? = nil

    var reason: String { message }

    static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "\(what)不存在或无权查看")
    }
    static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "无权执行此操作")
    static let unauthenticated = APIError(status: .unauthorized, code: "unauthenticated", message: "请先登录")

    static func invalid(_ e: FieldError) -> APIError {
        APIError(status: .unprocessableEntity, code: e.code, message: e.message, field: e.field)
    }
    /// A report's total past what money can hold: refused rather than wrapped.
    static func total(_ amounts: [Int64]) throws -> Int64 {
        guard let sum = Fen.total(amounts) else {
            throw APIError(status: .unprocessableEntity, code: "amount_overflow", message: "金额合计超出上限")
        }
        return sum
    }
    static func conflict(_ field: String, _ message: String) -> APIError {
        APIError(status: .conflict, code: "duplicate", message: message, field: field)
    }
}

struct ErrorBody: Content {
    struct Detail: Content { let code: String; let message: String; let field: String? }
    let error: Detail
}
