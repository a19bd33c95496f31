import BangfuKit
import Fluent
import SQLKit

/// Keeps the rollups (and the benefits beside them) equal to the ledger, at four grains, each bounded by its
/// dimensions rather than by the ledger's size: the finest (`purchase_rollups`: month × unit × origin township ×
/// channel × purpose), per unit (`unit_rollups`), per origin township (`origin_rollups`) and per buyer county ×
/// origin county (`county_rollups`), with `region_rollups` beside them for what lies in or comes from a region.
/// The rows are summed where they lie, by one `INSERT … SELECT … GROUP BY … ON CONFLICT` per grain in the caller's
/// transaction, so a million-row import never carries its rows back through the server to be summed.
/// Sorting the rows for each GROUP BY is most of that work: the county and region grains share one sort, through
/// a temporary table of the rows' sums by county pair (`stage`).
enum Rollups {
    /// Named columns and, per column, the expression over `purchases` (or over `stage`) that fills it.
    typealias Columns = [(name: String, expression: String)]

    /// One grain: its table and the columns that fill it.
    struct Grain {
        let table: String
        let columns: Columns
        /// The columns its unique constraint names (buyer region and system follow the unit).
        let conflict: String
        var staged = false
    }

    /// `LedgerCounting.counts` as SQL: not a duplicate, not rejected, and through a platform or verified.
    /// The property test in LedgerTests holds every grain to the Swift rule.
    static let counted = "CASE WHEN duplicate_of IS NULL AND state <> 'rejected' AND (via_platform OR state = 'verified') THEN TRUE ELSE FALSE END"
    static let month = ("month", "substr(booked_on, 1, 7)")
    static let unit = [("buyer_unit_id", "buyer_unit_id"), ("buyer_region_code", "buyer_region_code"), ("buyer_system_id", "buyer_system_id")]
    /// A place's township and county are its code's prefix padded with zeros (`RegionCode.ancestor`), or itself above them.
    static let township = ("origin_township", "substr(origin_region_code, 1, 9) || '000'")
    static let deep = ("deep_poverty", "from_deep_poverty")
    static let tail = [("channel_code", "channel_code"), ("purpose", "purpose"), ("counted", counted)]
    static let stagedTail = tail.map { ($0.0, $0.0) }
    static func county(_ column: String) -> String { "substr(\(column), 1, 6) || '000000'" }
    /// The smallest of province, city and county holding both the buyer and the origin ('' when none does).
    static let common = """
        CASE WHEN substr(buyer_region_code, 1, 6) = substr(origin_region_code, 1, 6) THEN substr(buyer_region_code, 1, 6) || '000000'
             WHEN substr(buyer_region_code, 1, 4) = substr(origin_region_code, 1, 4) THEN substr(buyer_region_code, 1, 4) || '00000000'
             WHEN substr(buyer_region_code, 1, 2) = substr(origin_region_code, 1, 2) THEN substr(buyer_region_code, 1, 2) || '0000000000'
             ELSE '' END
        """
    /// `region_rollups`: each row three times, under its buyer's county (side b), its origin's county (o) and the
    /// smallest region holding both (c), so that what was bought in or came from a region is b + o − c, summed over
    /// a few thousand rows whatever the ledger's size, instead of over every pair of counties.
    static func regionGrain(side: String, _ region: String) -> Grain {
        Grain(table: "region_rollups", columns: [("month", "month"), ("side", "'\(side)'"), ("region", region), ("deep_poverty", "deep_poverty")] + stagedTail,
              conflict: "month, side, region, deep_poverty, channel_code, purpose, counted", staged: true)
    }

    /// The temporary table of the rows' sums by county pair, and the smallest region holding both, from which the
    /// county and region grains are summed.
    static let stage = "rollup_counties"
    static let staged: Columns = [month, ("buyer_county", county("buyer_region_code")), ("origin_county", county("origin_region_code")),
                                  ("common", common), deep] + tail

    static let grains = [
        Grain(table: "purchase_rollups", columns: [month] + unit + [township, deep] + tail,
              conflict: "month, buyer_unit_id, origin_township, deep_poverty, channel_code, purpose, counted"),
        Grain(table: "unit_rollups", columns: [month] + unit + tail,
              conflict: "month, buyer_unit_id, channel_code, purpose, counted"),
        Grain(table: "origin_rollups", columns: [month, township, deep] + tail,
              conflict: "month, origin_township, deep_poverty, channel_code, purpose, counted"),
        Grain(table: "county_rollups",
              columns: ["month", "buyer_county", "origin_county", "deep_poverty"].map { ($0, $0) } + stagedTail,
              conflict: "month, buyer_county, origin_county, deep_poverty, channel_code, purpose, counted", staged: true),
        regionGrain(side: "b", "buyer_county"),
        regionGrain(side: "o", "origin_county"),
        regionGrain(side: "c", "common"),
    ]

    /// The grains' tables, each once.
    static var tables: [String] { grains.map(\.table).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    /// What was bought in or came from the region with this prefix (a county or above), from `region_rollups`:
    /// the rows to sum, and `sum` of a column over them (b + o − c).
    static func inOrFrom(prefix: String) -> SQLQueryString { "region LIKE \(bind: prefix + "%")" }
    static func inOrFromSum(_ column: String) -> SQLQueryString {
        "SUM(CASE WHEN side = 'c' THEN -\(unsafeRaw: column) ELSE \(unsafeRaw: column) END)"
    }

    /// Adds (`sign` 1) or takes away (-1) one row as it now stands in the ledger.
    static func add(_ p: Purchase, sign: Int64, on db: any Database) async throws {
        try await add(rows: "id = \(bind: p.id!)", sign: sign, on: db)
    }

    /// Adds or takes away the ledger rows that `rows` (a condition on `purchases`) selects.
    static func add(rows: SQLQueryString, sign: Int64, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            CREATE TEMPORARY TABLE \(ident: stage) AS SELECT \(unsafeRaw: keys(staged)), \(bind: sign) * SUM(amount_fen) AS amount_fen,
                \(bind: sign) * COUNT(*) AS row_count
            FROM purchases WHERE \(rows) GROUP BY \(unsafeRaw: positions(staged))
            """).run()
        for grain in grains {
            let (source, amount, count): (String, SQLQueryString, SQLQueryString) = grain.staged
                ? (stage, "SUM(amount_fen)", "SUM(row_count)") : ("purchases", "\(bind: sign) * SUM(amount_fen)", "\(bind: sign) * COUNT(*)")
            try await sql.raw("""
                INSERT INTO \(ident: grain.table) (\(unsafeRaw: grain.columns.map(\.name).joined(separator: ", ")), amount_fen, row_count)
                SELECT \(unsafeRaw: keys(grain.columns)), \(amount), \(count) FROM \(ident: source)
                WHERE \(grain.staged ? "TRUE" : rows) GROUP BY \(unsafeRaw: positions(grain.columns))
                ON CONFLICT (\(unsafeRaw: grain.conflict)) DO UPDATE SET
                    amount_fen = \(ident: grain.table).amount_fen + excluded.amount_fen,
                    row_count = \(ident: grain.table).row_count + excluded.row_count
                """).run()
        }
        try await sql.raw("DROP TABLE \(ident: stage)").run()
        try await Benefits.add(rows: rows, sign: sign, on: sql)
    }

    private static func keys(_ columns: Columns) -> String {
        columns.map { $0.expression == $0.name ? $0.name : "\($0.expression) AS \($0.name)" }.joined(separator: ", ")
    }

    /// Grouped by position: PostgreSQL refuses a constant (the side) in GROUP BY.
    private static func positions(_ columns: Columns) -> String { (1...columns.count).map(String.init).joined(separator: ", ") }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Purchase: Scoped {
    /// An office sees rows bought by units in its region or coming from its region; nil: the scope sees none.
    /// One rule for Fluent's queries and for those written with SQLKit, where the table is named `table`.
    static func visible(to scope: Scope, table: String = "p") -> SQLQueryString? {
        switch scope {
        case .everything:
            "1 = 1"
        case .region(let r):
            """
            (\(ident: table).buyer_region_code LIKE \(bind: r.subtreePrefix + "%")
                OR \(ident: table).origin_region_code LIKE \(bind: r.subtreePrefix + "%"))
            """
        case .system(let id):
            "\(ident: table).buyer_system_id = \(bind: id)"
        case .buyerUnit(let id):
            "\(ident: table).buyer_unit_id = \(bind: id)"
        default:
            nil
        }
    }

    static func restrict(_ q: QueryBuilder<Purchase>, to scope: Scope) -> QueryBuilder<Purchase>? {
        visible(to: scope, table: schema).map { q.filter(.sql(embed: $0)) }
    }
}
