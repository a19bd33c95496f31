import BangfuKit
import Fluent
import Vapor

struct AttachmentDTO: Content {
    let id: Int, filename: String, contentType: String, size: Int, url: String
}

/// Photos of offers (public, JPEG/PNG up to 5 MB) and documents of applications (PDF/JPEG/PNG up to
/// 10 MB, only to those who see the application). The record is found through its own scoped lookup.
enum AttachmentController {
    enum Kind {
        case photo, document, proof
        var entity: String {
            switch self {
            case .photo: "offer"
            case .document: "certification"
            case .proof: "purchase"
            }
        }
        var allowed: [UploadKind] { self == .photo ? [.jpeg, .png] : [.pdf, .jpeg, .png] }
        var maxBytes: Int { self == .photo ? 5 << 20 : 10 << 20 }
    }

    static func store(_ kind: Kind, entityID: Int, region: String, req: Request) async throws -> Attachment {
        struct Upload: Decodable { let file: File }
        guard let file = try? req.content.decode(Upload.self).file, file.data.readableBytes > 0 else {
            throw FieldError.required("file", "文件")
        }
        let data = Data(buffer: file.data)
        guard data.count <= kind.maxBytes else {
            throw FieldError(field: "file", code: "too_large", message: "文件不能超过 \(kind.maxBytes >> 20) MB")
        }
        guard let type = UploadKind.sniff(data), kind.allowed.contains(type) else {
            let names = kind.allowed.map { $0.rawValue.uppercased() }.joined(separator: "/")
            throw FieldError(field: "file", code: "bad_type", message: "只接受 \(names) 文件")
        }
        let a = Attachment()
        a.sha256 = try await req.application.files.put(data)
        a.filename = String(file.filename.suffix(100)); a.contentType = type.contentType; a.size = data.count
        a.entity = kind.entity; a.entityID = entityID; a.regionCode = region
        try await req.db.writeTransaction { db in
            try await a.create(on: db)
            try await Audit.record(req, on: db, action: "attach", entity: kind.entity, id: entityID, region: region,
                                   after: ["file": a.filename, "sha256": a.sha256])
        }
        return a
    }

    static func list(_ kind: Kind, entityID: Int, on db: any Database) async throws -> [AttachmentDTO] {
        try await Attachment.query(on: db).filter(\.$entity == kind.entity).filter(\.$entityID == entityID).sort(\.$id).all()
            .map { AttachmentDTO(id: $0.id!, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                                 url: url(kind, entityID: entityID, file: $0.id!)) }
    }

    static func url(_ kind: Kind, entityID: Int, file: Int) -> String {
        switch kind {
        case .photo: SiteURL.photo.path(id: file)
        case .document: SiteURL.certificationDocument.path(id: entityID) + "?file=\(file)"
        case .proof: SiteURL.purchaseProof.path(id: entityID) + "?file=\(file)"
        }
    }

    static func serve(_ a: Attachment, req: Request) async throws -> Response {
        guard let data = try await req.application.files.get(a.sha256) else { throw APIError.notFound("文件") }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: a.contentType)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.contentDisposition = .init(a.contentType == "application/pdf" ? .attachment : .inline, filename: a.filename)
        return response
    }

    /// Stores the upload on the record; the API answers with the record's files, a page goes back to `back`.
    /// A bad file is a FieldError, which the error middleware turns into 422 with the field.
    static func attach(_ kind: Kind, entityID: Int, region: String, back: String, req: Request) async throws -> Response {
        _ = try await store(kind, entityID: entityID, region: region, req: req)
        return req.url.path.hasPrefix("/api/")
            ? try await list(kind, entityID: entityID, on: req.db).encodeResponse(status: .created, for: req)
            : req.redirect(to: back)
    }

    @Sendable static func addPhoto(req: Request) async throws -> Response {
        let offer = try await OfferController.find(req)
        return try await attach(.photo, entityID: offer.id!, region: offer.regionCode, back: SiteURL.offerEdit.path(id: offer.id!), req: req)
    }

    /// Product photos are public, like the catalogue they illustrate.
    @Sendable static func photo(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self),
              let a = try await Attachment.query(on: req.db).filter(\.$id == id).filter(\.$entity == "offer").first()
        else { throw APIError.notFound("图片") }
        let shown = try await isPublished(offer: a.entityID,
            on: req.db) ? true : try await isSeen(offer: a.entityID, by: req)
        guard shown else { throw APIError.notFound("图片") }
        return try await serve(a, req: req)
    }

    static func isSeen(offer id: Int, by req: Request) async throws -> Bool {
        guard let scope = req.scope(for: .viewOffers) else { return false }
        return try await Offer.query(on: req.db).scoped(by: scope).filter(\.$id == id).count() > 0
    }

    /// A photo is public once its offer is in 公示 or certified; a draft's is seen only by those who see the offer.
    static func isPublished(offer id: Int, on db: any Database) async throws -> Bool {
        let shown = [CertificationState.inPublicity.rawValue, CertificationState.certified.rawValue]
        return try await ProductApplication.query(on: db).filter(\.$offer.$id == id).filter(\.$state ~~ shown).count() > 0
    }

    /// On the application page a bad file is shown beside the form rather than on an error page.
    @Sendable static func addDocument(req: Request) async throws -> Response {
        let a = try await CertificationController.find(req)
        do {
            return try await attach(.document, entityID: a.id!, region: a.regionCode, back: SiteURL.certification.path(id: a.id!), req: req)
        } catch let e as FieldError where !req.url.path.hasPrefix("/api/") {
            return try await CertificationController.showPage(req, a, error: e.message, status: .unprocessableEntity)
        }
    }

    @Sendable static func document(req: Request) async throws -> Response {
        let application = try await CertificationController.find(req)
        guard let fid: Int = req.query["file"],
              let a = try await Attachment.query(on: req.db).filter(\.$id == fid).filter(\.$entity == "certification")
                .filter(\.$entityID == application.id!).first()
        else { throw APIError.notFound("文件") }
        return try await serve(a, req: req)
    }
}

extension AttachmentController {
    /// 采购证明 for an off-platform purchase, attached by whoever may record it.
    @Sendable static func addProof(req: Request) async throws -> Response {
        let p = try await LedgerService.find(req)
        return try await attach(.proof, entityID: p.id!, region: p.originRegionCode, back: SiteURL.purchases.path, req: req)
    }

    @Sendable static func proof(req: Request) async throws -> Response {
        let p = try await LedgerService.find(req)
        guard let fid: Int = req.query["file"],
              let a = try await Attachment.query(on: req.db).filter(\.$id == fid).filter(\.$entity == "purchase")
                .filter(\.$entityID == p.id!).first()
        else { throw APIError.notFound("文件") }
        return try await serve(a, req: req)
    }
}
