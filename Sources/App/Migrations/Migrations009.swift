import Fluent

/// Online orders (issue 14): orders and their lines, waybills and tracking, steps, quotes, carriers' mappings;
/// stock held by confirmed orders; each jurisdiction's order rules; a need's wished-for quality marks; the kept
/// matches of open needs; each offer's 原深度贫困 flag and the index matching walks.
enum Migrations009 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateOrders())
        migrations.add(CreateOrderLogistics())
        migrations.add(AddOrderSettings())
        migrations.add(CreateNeedMatches())
        migrations.add(AddOfferDeepPoverty())
    }
}
