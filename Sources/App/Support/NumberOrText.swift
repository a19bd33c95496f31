import Foundation

/// A field the API takes as the words a sheet uses ("90元", "12万", "30斤") or as a plain JSON number (90 = 90元):
/// integrations send numbers, offices send words, and both reach the same parser.
@propertyWrapper
struct NumberOrText: Codable, Sendable, Equatable {
    var wrappedValue: String?

    init(wrappedValue: String?) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            wrappedValue = nil
        } else if let text = try? c.decode(String.self) {
            wrappedValue = text
        } else if let whole = try? c.decode(Int64.self) {
            wrappedValue = String(whole)
        } else {
            // A fraction keeps its shortest decimal form (1.5, not 1.5000000000000002); the parser bounds it.
            wrappedValue = "\(try c.decode(Decimal.self))"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// An absent key is an absent value, as for any optional field.
    func decode(_ type: NumberOrText.Type, forKey key: Key) throws -> NumberOrText {
        try decodeIfPresent(type, forKey: key) ?? NumberOrText(wrappedValue: nil)
    }
}
