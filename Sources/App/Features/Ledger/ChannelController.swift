import BangfuKit
import Fluent
import Vapor

/// An office keeps its jurisdiction's channels: adopts a seed's list as a preset, adds its own channels and
/// renames them; the lists of the offices above it hold too. Channels are never deleted: rows name them.
enum ChannelController {
    struct Input: Content {
        var name: String?
        var heading: String?
        var viaPlatform: Bool?
        /// The API may name the code; a page never asks for one (it is made from the list's length).
        var code: String?
    }

    struct ChannelRow: Encodable {
        let id: Int, code: String, name: String, heading: String, viaPlatform: Bool, own: Bool, jurisdiction: String
    }

    static func add(_ input: Input, req: Request) async throws -> Channel {
        let j = try PeriodController.jurisdiction(req, for: .manageChannels)
        let name = try FormValue.text(input.name, "name", "渠道名称", max: 50)
        let heading = try FormValue.optionalText(input.heading, "heading", "所属分类", max: 20) ?? name
        let own = try await Channel.query(on: req.db).filter(\.$jurisdictionCode == j.digits).all()
        guard !own.contains(where: { $0.name == name }) else { throw APIError.conflict("name", "本辖区已有渠道“\(name)”") }
        let given = try input.code.map { try FormValue.text($0, "code", "渠道代码", max: 32) }
        let code = if let given { given } else { try await freeCode(for: j, req: req) }
        guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw FieldError.invalid("code", "渠道代码", "只用字母和数字")
        }
        guard !own.contains(where: { $0.code == code }) else { throw APIError.conflict("code", "本辖区已有渠道代码 \(code)") }
        // A code means one thing everywhere: the same code elsewhere must agree on whether rows need proof.
        let elsewhere = try await Channel.query(on: req.db).filter(\.$code == code).first()
        if let elsewhere, elsewhere.viaPlatform != (input.viaPlatform ?? false) {
            throw APIError.conflict("code", "渠道代码 \(code) 在其他辖区表示另一类渠道")
        }
        let c = Channel(code: code, name: name, heading: heading, jurisdiction: j.digits,
                        viaPlatform: input.viaPlatform ?? false)
        try await req.db.writeTransaction { db in
            try await c.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "channel", id: c.id, region: j.digits,
                                   after: ["code": code, "name": name, "heading": heading])
        }
        return c
    }

    /// A code for an office's own channel that no jurisdiction uses: its region's digits and a number.
    static func freeCode(for j: RegionCode, req: Request) async throws -> String {
        let prefix = "c\(j.subtreePrefix)n"
        let taken = Set(try await Channel.query(on: req.db).filter(\.$code =~ prefix).all().map(\.code))
        var n = taken.count + 1
        while taken.contains(prefix + String(n)) { n += 1 }
        return prefix + String(n)
    }

    static func adopt(_ preset: String?, req: Request) async throws -> [Channel] {
        let j = try PeriodController.jurisdiction(req, for: .manageChannels)
        guard let p = ChannelPreset.all.first(where: { $0.code == preset }) else {
            throw FieldError.invalid("preset", "渠道预设")
        }
        return try await req.db.writeTransaction { db in
            let added = try await p.adopt(jurisdiction: j.digits, on: db)
            try await Audit.record(req, on: db, action: "adopt_channels", entity: "channel", id: nil, region: j.digits,
                                   after: ["preset": p.code, "added": added.map(\.code).joined(separator: ",")])
            return added
        }
    }

    static func rename(_ id: Int?, _ input: Input, req: Request) async throws -> Channel {
        let j = try PeriodController.jurisdiction(req, for: .manageChannels)
        guard let id, let c = try await Channel.query(on: req.db).filter(\.$id == id)
            .filter(\.$jurisdictionCode == j.digits).first() else {
            throw APIError.notFound("本辖区的渠道")
        }
        let before = ["name": c.name, "heading": c.heading]
        c.name = try FormValue.text(input.name, "name", "渠道名称", max: 50)
        c.heading = try FormValue.optionalText(input.heading, "heading", "所属分类", max: 20) ?? c.name
        try await req.db.writeTransaction { db in
            try await c.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "channel", id: c.id, region: j.digits,
                                   before: before, after: ["name": c.name, "heading": c.heading])
        }
        return c
    }

    struct Page: Encodable {
        let shell: Shell; let rows: [ChannelRow]; let presets: [FormPage.Option]; var error: String? = nil
    }

    static func page(_ req: Request, error: String? = nil) async throws -> Page {
        let j = try PeriodController.jurisdiction(req, for: .manageChannels)
        let names = try await RegionNames.places(for: j.selfAndAncestors.map(\.digits), on: req.db)
        let rows = try await ChannelList.load(on: req.db).effective(for: j).map {
            ChannelRow(id: $0.id!, code: $0.code, name: $0.name, heading: $0.heading, viaPlatform: $0.viaPlatform,
                       own: $0.jurisdictionCode == j.digits,
                       jurisdiction: names[$0.jurisdictionCode] ?? $0.jurisdictionCode)
        }
        let presets = ChannelPreset.all.map { FormPage.Option(value: $0.code, label: "\($0.name)（\($0.source)）") }
        return Page(shell: Shell(req), rows: rows, presets: presets, error: error)
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("channels/index", try await page(req))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let input = Input(name: f["name"], heading: f["heading"], viaPlatform: f["viaPlatform"] == "1")
        do {
            switch f["do"] {
            case "adopt": _ = try await adopt(f["preset"], req: req)
            case "rename": _ = try await rename(f["id"].flatMap { Int($0) }, input, req: req)
            default: _ = try await add(input, req: req)
            }
            return req.redirect(to: SiteURL.channels.path)
        } catch let e as FieldError {
            return try await req.render("channels/index", try await page(req, error: e.message),
                                        status: .unprocessableEntity)
        } catch let e as APIError where e.status == .conflict || e.status == .notFound {
            return try await req.render("channels/index", try await page(req, error: e.message), status: e.status)
        }
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let c = try await add(try req.content.decode(Input.self), req: req)
        return try await VocabularyController.ChannelDTO(c).encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiAdopt(req: Request) async throws -> [VocabularyController.ChannelDTO] {
        struct Body: Content { var preset: String? }
        return try await adopt(try req.content.decode(Body.self).preset, req: req)
            .map(VocabularyController.ChannelDTO.init)
    }
}
