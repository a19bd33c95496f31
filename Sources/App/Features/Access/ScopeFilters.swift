import BangfuKit
import Fluent
import FluentSQL

/// How each kind of record answers to a scope. Every list and lookup goes through `scoped(by:)`;
/// a scope that does not apply to a record kind matches nothing.
protocol Scoped: Model {
    static func restrict(_ query: QueryBuilder<Self>, to scope: Scope) -> QueryBuilder<Self>?
}

extension QueryBuilder where Model: Scoped {
    func scoped(by scope: Scope) -> QueryBuilder<Model> {
        if case .everything = scope { return self }
        return Model.restrict(self, to: scope) ?? self.filter(.sql(unsafeRaw: "1 = 0"))
    }
}

extension Scope {
    /// Whether a write aimed at `region` stays inside this scope.
    func covers(region: String) -> Bool {
        switch self {
        case .everything: true
        case .region(let r): RegionCode(region).map(r.contains) ?? false
        default: false
        }
    }
}

private func subtree(of code: RegionCode) -> String { code.subtreePrefix }

extension BuyerUnit: Scoped {
    static func restrict(_ q: QueryBuilder<BuyerUnit>, to scope: Scope) -> QueryBuilder<BuyerUnit>? {
        switch scope {
        case .region(let r): q.filter(\.$regionCode =~ subtree(of: r))
        case .system(let id): q.filter(\.$system.$id == id)
        case .buyerUnit(let id): q.filter(\.$id == id)
        default: nil
        }
    }
}

extension Supplier: Scoped {
    static func restrict(_ q: QueryBuilder<Supplier>, to scope: Scope) -> QueryBuilder<Supplier>? {
        switch scope {
        case .region(let r): q.filter(\.$regionCode =~ subtree(of: r))
        case .supplier(let id): q.filter(\.$id == id)
        default: nil
        }
    }
}

extension Household: Scoped {
    static func restrict(_ q: QueryBuilder<Household>, to scope: Scope) -> QueryBuilder<Household>? {
        if case .region(let r) = scope { return q.filter(\.$regionCode =~ subtree(of: r)) }
        return nil
    }
}

extension Pairing: Scoped {
    /// An office sees pairings that touch its subtree on either side; a unit or system sees its own help.
    static func restrict(_ q: QueryBuilder<Pairing>, to scope: Scope) -> QueryBuilder<Pairing>? {
        switch scope {
        case .region(let r):
            let p = subtree(of: r)
            return q.join(BuyerUnit.self, on: \Pairing.$helperUnit.$id == \BuyerUnit.$id, method: .left)
                .group(.or) {
                    $0.filter(\.$helpedRegionCode =~ p).filter(\.$helperRegionCode =~ p)
                        .filter(BuyerUnit.self, \.$regionCode =~ p)
                }
        case .system(let id):
            return q.join(BuyerUnit.self, on: \Pairing.$helperUnit.$id == \BuyerUnit.$id)
                .filter(BuyerUnit.self, \.$system.$id == id)
        case .buyerUnit(let id):
            return q.filter(\.$helperUnit.$id == id)
        default:
            return nil
        }
    }
}

extension AuditEntry: Scoped {
    static func restrict(_ q: QueryBuilder<AuditEntry>, to scope: Scope) -> QueryBuilder<AuditEntry>? {
        if case .region(let r) = scope { return q.filter(\.$regionCode =~ subtree(of: r)) }
        return nil
    }
}

extension Offer: Scoped {
    static func restrict(_ q: QueryBuilder<Offer>, to scope: Scope) -> QueryBuilder<Offer>? {
        switch scope {
        case .region(let r): q.filter(\.$regionCode =~ subtree(of: r))
        case .supplier(let id): q.filter(\.$supplier.$id == id)
        default: nil
        }
    }
}

extension ProductApplication: Scoped {
    static func restrict(_ q: QueryBuilder<ProductApplication>, to scope: Scope) -> QueryBuilder<ProductApplication>? {
        switch scope {
        case .region(let r): q.filter(\.$regionCode =~ subtree(of: r))
        case .supplier(let id): q.filter(\.$supplier.$id == id)
        default: nil
        }
    }
}

extension Complaint: Scoped {
    static func restrict(_ q: QueryBuilder<Complaint>, to scope: Scope) -> QueryBuilder<Complaint>? {
        if case .region(let r) = scope { return q.filter(\.$regionCode =~ subtree(of: r)) }
        return nil
    }
}

extension BlacklistEntry: Scoped {
    static func restrict(_ q: QueryBuilder<BlacklistEntry>, to scope: Scope) -> QueryBuilder<BlacklistEntry>? {
        if case .region(let r) = scope { return q.filter(\.$regionCode =~ subtree(of: r)) }
        return nil
    }
}
