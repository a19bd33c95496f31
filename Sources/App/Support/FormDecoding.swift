import Vapor

/// HTML forms arrive as flat strings (an empty select is ""); the API sends typed JSON.
/// Inputs are decoded from either through this one door.
protocol FormInput: Content {
    init(form: [String: String]) throws
    /// The form's fields that pick (a place by name, a unit from a list) rather than take typed codes.
    static var pickers: [String: Picker] { get }
}

extension FormInput {
    static var pickers: [String: Picker] { [:] }

    static func decode(_ req: Request) throws -> Self {
        if req.url.path.hasPrefix("/api/") { return try req.content.decode(Self.self) }
        return try Self(form: formValues(req))
    }

    static func formValues(_ req: Request) throws -> [String: String] {
        try req.content.decode([String: String].self).filter { $0.key != CSRFMiddleware.field }
    }
}

extension Dictionary where Key == String, Value == String {
    func int(_ key: String) -> Int? { self[key].flatMap { Int($0) } }
    func flag(_ key: String) -> Bool { ["true", "on", "1"].contains(self[key] ?? "") }
    func text(_ key: String) -> String? { self[key].flatMap { $0.isEmpty ? nil : $0 } }
}
