import BangfuKit
import Foundation
import Vapor

/// The one door every request's text passes before a route sees it: query parameters and the fields of a form,
/// multipart or JSON body. A control or bidirectional-override character is refused with 422 naming the field
/// (`TextHygiene`); a multipart body the decoder cannot read safely is refused with 400 before it is decoded.
/// Bodies of other types (a CSV or photo sent as it is) are files, checked by their readers.
struct InputHygieneMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try Self.checkQuery(req.url.query)
        if let kind = BodyKind(req.headers.contentType), req.method != .GET, req.method != .HEAD {
            if req.body.data == nil { _ = try await req.body.collect(max: BodyLimits.collected).get() }
            if let body = req.body.data { try Self.check(Data(buffer: body), kind: kind,
                type: req.headers.contentType) }
        }
        return try await next.respond(to: req)
    }

    enum BodyKind {
        case form, json, multipart

        init?(_ type: HTTPMediaType?) {
            switch (type?.type, type?.subType) {
            case ("application", "x-www-form-urlencoded"): self = .form
            case ("application", "json"): self = .json
            case ("multipart", "form-data"): self = .multipart
            default: return nil
            }
        }
    }

    static func check(_ body: Data, kind: BodyKind, type: HTTPMediaType?) throws {
        switch kind {
        case .form: try checkQuery(String(decoding: body, as: UTF8.self))
        case .json: try checkJSON(body)
        case .multipart: try MultipartCheck.check(body, boundary: type?.parameters["boundary"])
        }
    }

    /// `a=1&b=%00`: every name and value, percent-decoded; a broken escape is a 400.
    static func checkQuery(_ query: String?) throws {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decoded = try parts.map { part -> String in
                guard let text = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw APIError(status: .badRequest, code: "bad_encoding", message: "请求参数的编码不正确")
                }
                return text
            }
            let name = decoded.first ?? ""
            guard decoded.allSatisfy(TextHygiene.isClean) else { throw APIError.invalid(TextHygiene.refusal(field: name)) }
        }
    }

    /// Every string in a JSON body, keys included, named by its path ("rules.0.name"). A body that is not JSON
    /// is left to the route's decoder, which refuses it with its own message.
    static func checkJSON(_ body: Data) throws {
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return }
        try walk(value, path: "")
    }

    private static func walk(_ value: Any, path: String) throws {
        switch value {
        case let text as String:
            guard TextHygiene.isClean(text) else { throw APIError.invalid(TextHygiene.refusal(field: path)) }
        case let list as [Any]:
            for (i, item) in list.enumerated() { try walk(item, path: join(path, String(i))) }
        case let object as [String: Any]:
            for (key, item) in object {
                guard TextHygiene.isClean(key) else { throw APIError.invalid(TextHygiene.refusal(field: join(path,
                    "?"))) }
                try walk(item, path: join(path, key))
            }
        default: break
        }
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}

/// Request bodies the app reads into memory: forms and uploads (photos, proof files, office-sized sheets).
enum BodyLimits {
    static let collected = 10 * 1024 * 1024
}
