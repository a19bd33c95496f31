import SQLKit

/// A result row read column by column. `Decodable` rows go through SQLKit's keyed decoding containers, which
/// cost several times the column reads themselves: too much for the tens of thousands of rows progress and
/// bulletins read.
protocol RowDecodable {
    init(row: any SQLRow) throws
}

extension SQLRawBuilder {
    func all<Row: RowDecodable>(reading: Row.Type) async throws -> [Row] {
        try await all().map { try Row(row: $0) }
    }
}

extension SQLRow {
    func get<T: Decodable>(_ column: String, _: T.Type = T.self) throws -> T { try decode(column: column, as: T.self) }
}
