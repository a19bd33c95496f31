import Fluent
import Foundation

/// A stored file attached to a record: an offer's photo or an application's document.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "sha256") var sha256: String
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "entity") var entity: String        // offer / certification
    @Field(key: "entity_id") var entityID: Int
    @Field(key: "region_code") var regionCode: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// The same stored file attached to another record of the same kind (content-addressed: no second copy).
    func copy(to entityID: Int) -> Attachment {
        let a = Attachment()
        a.sha256 = sha256; a.filename = filename; a.contentType = contentType; a.size = size
        a.entity = entity; a.entityID = entityID; a.regionCode = regionCode
        return a
    }
}
