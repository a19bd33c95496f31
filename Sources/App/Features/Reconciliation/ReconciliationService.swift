import BangfuKit
import Fluent
import SQLKit
import Vapor

/// A period's reconciliation for an office's subtree: the ledger's rows and the carriers' shipments from its
/// places matched by `Reconciliation`, a township at a time (memory is bounded by the largest township, not the
/// province), the proposals kept with the office's earlier decisions, each row's outcome stored for 可溯源率.
/// A re-run of the same scope and period reads only the blocks (township and buyer) where something changed since
/// the last: new rows or corrections, new waybills, outcomes a decision or a rejection made stale.
enum ReconciliationService {
    struct RunInput: Content {
        var from: String?
        var to: String?
        /// Re-examine every block, not only those that changed.
        var full: Bool?
    }

    struct Summary: Content {
        let from: String, to: String, rows: Int, waybills: Int, proposals: Int
        /// Rows per outcome (threeWay, twoWay, single, contradiction), of the blocks this run examined.
        let outcomes: [String: Int]
        /// Townships and blocks examined; false when every block of the period was.
        let townships: Int, blocks: Int, incremental: Bool
    }

    static func period(_ input: RunInput, today: LocalDate) throws -> (LocalDate, LocalDate) {
        let from = try FormValue.date(input.from, "from", "开始日期"), to = try FormValue.date(input.to, "to", "截止日期")
        guard from <= to else { throw FieldError(field: "to", code: "before_start", message: "截止日期不能早于开始日期") }
        guard from.days(until: to) <= 366 else {
            throw FieldError(field: "to", code: "too_long", message: "一次对账不超过一年")
        }
        return (from, to)
    }

    static func run(_ input: RunInput, caller: Caller, on db: any Database,
                    lease: LeaseCheck? = nil) async throws -> Summary {
        let region = try caller.jurisdiction()
        let (from, to) = try period(input, today: caller.today)
        let scope = ReconciliationScope(prefix: region.subtreePrefix, from: from, to: to)
        let marks = try await scope.watermarks(on: db)
        let last = input.full == true ? nil : try await ReconciliationRun.find(scope, on: db)
        let incremental = last != nil
        let blocks: [String: (buyers: Set<Int>?, rows: Int)]
        if let last {
            blocks = try await scope.changedBlocks(since: last, on: db)
        } else {
            blocks = try await scope.allTownships(on: db)
        }
        var tally = ReconciliationStore.Tally()
        for batch in batches(blocks) {
            let part = try await ReconciliationStore.reconcile(scope.townships(batch.first, through: batch.last),
                                                               blocks: batch.blocks, on: db, lease: lease)
            tally.add(part)
        }
        let done = tally
        try await db.writeTransaction { db in
            try await ReconciliationRun.remember(scope, marks, on: db)
            try await Audit.record(caller.origin, on: db, action: "reconcile", entity: "reconciliation", id: nil,
                                   region: region.digits,
                                   after: ["from": from.description, "to": to.description, "rows": String(done.rows),
                                           "proposals": String(done.proposals), "full": String(!incremental)])
            try await lease?(db)
        }
        return Summary(from: from.description, to: to.description, rows: tally.rows, waybills: tally.waybills,
                       proposals: tally.proposals, outcomes: tally.outcomes, townships: blocks.count,
                       blocks: tally.blocks, incremental: incremental)
    }

    /// Townships read together, in code order (a query and a transaction cost the same for ten rows as for ten
    /// thousand): whole ones up to `batchRows` rows a batch; changed ones by their changed blocks ("township:buyer"),
    /// up to `batchBlocks` of them, so a re-run reads what changed and nothing beside it.
    static func batches(_ blocks: [String: (buyers: Set<Int>?, rows: Int)], batchRows: Int = 20_000,
                        batchBlocks: Int = 500) -> [(first: String, last: String, blocks: [String]?)] {
        var out: [(first: String, last: String, blocks: [String]?)] = [], size = 0
        for (township, block) in blocks.sorted(by: { $0.key < $1.key }) {
            let keys = block.buyers.map { $0.sorted().map { "\(township):\($0)" } }
            if let open = out.last, (open.blocks == nil) == (keys == nil), size + block.rows <= batchRows,
               (open.blocks?.count ?? 0) + (keys?.count ?? 0) <= batchBlocks {
                out[out.count - 1].last = township
                out[out.count - 1].blocks = keys.flatMap { changed in open.blocks.map { $0 + changed } }
                size += block.rows
            } else {
                out.append((township, township, keys))
                size = block.rows
            }
        }
        return out
    }

    /// An office confirms or rejects a proposal; the rows it joins are reconciled afresh at the next run.
    static func decide(_ id: Int?, confirm: Bool, req: Request) async throws -> ReconciliationLink {
        guard let id, let l = try await ReconciliationLink.query(on: req.db).scoped(by: req.scope)
            .filter(\.$id == id).first() else { throw APIError.notFound("对账建议") }
        l.status = confirm ? "confirmed" : "rejected"
        l.decidedBy = req.currentUser?.signature
        let rows = [l.purchaseID] + (l.otherKind == "purchase" ? [l.otherID] : [])
        try await req.db.writeTransaction { db in
            try await l.save(on: db)
            try await PurchaseOutcome.markStale(rows, on: db)
            try await Audit.record(req, on: db, action: confirm ? "confirm" : "reject", entity: "reconciliation_link",
                                   id: l.id, region: l.originCode, after: ["status": l.status])
        }
        return l
    }
}
