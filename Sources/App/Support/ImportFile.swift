import BangfuKit
import Crypto
import Foundation
import Vapor

/// An uploaded import file on disk (never held whole in memory when it comes as a raw body), with its
/// SHA-256 fingerprint, read back as rows: CSV streamed, .xlsx and GBK CSV (office-sized) in memory.
struct ImportFile: Sendable {
    let url: URL
    let sha256: String

    /// The largest upload written to disk: a province's year of platform orders is well under it.
    static let maxBytes = 2 << 30

    /// Uploads wait in the data directory, not /tmp: a process killed mid-import leaves them where the next start
    /// finds and removes them (`removeLeftovers`).
    static func directory(_ varDirectory: String) -> URL {
        URL(fileURLWithPath: varDirectory).appendingPathComponent("uploads", isDirectory: true)
    }

    static func removeLeftovers(in varDirectory: String) {
        try? FileManager.default.removeItem(at: directory(varDirectory))
    }

    /// Writes the upload to a file: a raw body streamed block by block, a form's file part as sent. A declared or
    /// actual size past `maxBytes` is refused before (or as soon as) it would be written.
    static func receive(_ req: Request) async throws -> ImportFile {
        let tooLarge = APIError(status: .payloadTooLarge, code: "too_large", message: "文件超过 \(maxBytes >> 30) GB 上限")
        if let declared = req.headers.first(name: .contentLength).flatMap(Int.init),
            declared > maxBytes { throw tooLarge }
        let folder = directory(req.application.config.varDirectory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("import-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw Abort(.internalServerError, reason: "cannot write \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var hash = SHA256(), size = 0
        func write(_ buffer: ByteBuffer) throws {
            let data = Data(buffer: buffer)
            guard size + data.count <= maxBytes else { throw tooLarge }
            hash.update(data: data); size += data.count
            try handle.write(contentsOf: data)
        }
        do {
            if req.headers.contentType?.type == "multipart" {
                try write(ByteBuffer(data: try OfferSheetController.upload(req)))
            } else if let collected = req.body.data {
                try write(collected)
            } else {
                for try await buffer in req.body { try write(buffer) }
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        guard size > 0 else { try? FileManager.default.removeItem(at: url); throw FieldError.required("file", "文件") }
        return ImportFile(url: url, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// A short fingerprint for `source_ref`s: the same file imported twice is recognised row by row.
    var tag: String { String(sha256.prefix(16)) }

    /// Rows with their 1-based line numbers, one at a time, without control characters (`TextHygiene`).
    func rows() throws -> Pull<(Int, [String])> {
        let head = try FileHandle(forReadingFrom: url)
        let start = head.readData(ofLength: 4096)
        try head.close()
        // A block can end inside a character: UTF-8 if it decodes once up to three trailing bytes are set aside.
        let utf8 = (0...min(3, start.count)).contains { String(data: start.dropLast($0), encoding: .utf8) != nil }
        if start.starts(with: [0x50, 0x4B, 0x03, 0x04]) || !utf8 {
            var cells = try OfferSheetController.cells(try Data(contentsOf: url)).enumerated().makeIterator()
            return Pull { cells.next().map { ($0.offset + 1, $0.element.map(TextHygiene.cleaned)) } }
        }
        var reader = try CSVReader(url: url)
        return Pull { reader.next().map { (reader.row, $0.map(TextHygiene.cleaned)) } }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Files read whole into memory (a carrier's export, an office's sheet) stop at `megabytes`.
    func refuseLarger(than megabytes: Int) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard size <= megabytes << 20 else {
            throw APIError(status: .payloadTooLarge, code: "too_large", message: "文件超过 \(megabytes) MB，请按月分开导入",
                           field: "file")
        }
    }
}

/// Values pulled one at a time, by one task at a time (an import's), hence unchecked.
final class Pull<Element>: @unchecked Sendable {
    private let read: () throws -> Element?
    init(_ read: @escaping () throws -> Element?) { self.read = read }
    func next() throws -> Element? { try read() }
}
