import BangfuKit
import Fluent
import Vapor

struct PledgeDTO: Content {
    let campaignId: Int, buyerUnitId: Int, rank: Int, reasons: String, pledged: String?

    init(_ i: CampaignInvitation, unit: String) {
        campaignId = i.$campaign.id; buyerUnitId = i.$buyerUnit.id; rank = i.rank; reasons = i.reasons
        pledged = i.pledgedThousandths.map { Quantity(thousandths: $0, unit: unit).description }
    }
}

/// The campaigns' API: the same commands as the pages.
enum CampaignController {
    @Sendable static func apiIndex(req: Request) async throws -> [CampaignDTO] {
        var out: [CampaignDTO] = []
        for c in try await Campaigns.list(req) { out.append(try await CampaignProgress.read(c, req: req)) }
        return out
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let c = try await Campaigns.create(try CampaignInput.decode(req), req: req)
        return try await CampaignProgress.read(c, req: req).encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiInvite(req: Request) async throws -> [ProposalDTO] {
        try await CampaignPledges.invite(try req.content.decode(InvitationInput.self), req: req)
    }

    @Sendable static func apiPledge(req: Request) async throws -> PledgeDTO {
        let i = try await CampaignPledges.pledge(try PledgeInput.decode(req), req: req)
        let c = try await i.$campaign.get(on: req.db)
        return PledgeDTO(i, unit: try await c.$product.get(on: req.db).unit)
    }

    @Sendable static func apiDeliver(req: Request) async throws -> Response {
        let p = try await CampaignPledges.deliver(try DeliveryInput.decode(req), req: req)
        return try await PurchaseDTO(p).encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiClose(req: Request) async throws -> CampaignDTO {
        try await CampaignProgress.read(try await Campaigns.close(req), req: req)
    }
}
