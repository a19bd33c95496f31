import BangfuKit
import Fluent
import Vapor

/// The words a ledger row is written in, for integrations that must not read the code to learn them: the
/// channels a jurisdiction counts (its own and those it inherits from the offices above it) and the purposes.
enum VocabularyController {
    struct ChannelDTO: Content {
        let code: String, name: String, heading: String, jurisdiction: String, viaPlatform: Bool
        init(_ c: Channel) {
            code = c.code
            name = c.name
            heading = c.heading
            jurisdiction = c.jurisdictionCode
            viaPlatform = c.viaPlatform
        }
    }

    struct PurposeDTO: Content { let code: String; let name: String }

    /// `?region=` (any level): the channels of that region and every region above it; without it, every channel.
    @Sendable static func channels(req: Request) async throws -> [ChannelDTO] {
        var query = Channel.query(on: req.db)
        if let text: String = req.query["region"] {
            guard let region = RegionCode(text) else { throw APIError.invalid(.invalid("region", "区划代码")) }
            let chain = region.selfAndAncestors
            query = query.filter(\.$jurisdictionCode ~~ chain.map(\.digits))
        }
        return try await query.sort(\.$jurisdictionCode).sort(\.$id).all().map(ChannelDTO.init)
    }

    @Sendable static func purposes(req: Request) async throws -> [PurposeDTO] {
        PurchasePurpose.allCases.map { PurposeDTO(code: $0.rawValue, name: $0.chineseName) }
    }
}
