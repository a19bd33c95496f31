import BangfuKit
import Crypto
import Foundation
import Vapor

/// An uploaded import file on disk (never held whole in memory when it comes as a raw body), with its
/// SHA-256 fingerprint, read back as rows: CSV streamed, .xlsx and GBK CSV (office-sized) in memory.
struct ImportFile: Sendable {
    let url: URL
    let sha256: String

    /// Writes the upload to a temporary file: a raw body streamed block by block, a form's file part as sent.
    static func receive(_ req: Request) async throws -> ImportFile {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-import-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw Abort(.internalServerError, reason: "cannot write \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var hash = SHA256(), size = 0
        func write(_ buffer: ByteBuffer) throws {
            let data = Data(buffer: buffer)
            hash.update(data: data); size += data.count
            try handle.write(contentsOf: data)
        }
        if req.headers.contentType?.type == "multipart" {
            try write(ByteBuffer(data: try OfferSheetController.upload(req)))
        } else if let collected = req.body.data {
            try write(collected)
        } else {
            for try await buffer in req.body { try write(buffer) }
        }
        guard size > 0 else { try? FileManager.default.removeItem(at: url); throw FieldError.required("file", "文件") }
        return ImportFile(url: url, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// A short fingerprint for `source_ref`s: the same file imported twice is recognised row by row.
    var tag: String { String(sha256.prefix(16)) }

    /// Rows with their 1-based line numbers, one at a time.
    func rows() throws -> Pull<(Int, [String])> {
        let head = try FileHandle(forReadingFrom: url)
        let start = head.readData(ofLength: 4096)
        try head.close()
        // A block can end inside a character: UTF-8 if it decodes once up to three trailing bytes are set aside.
        let utf8 = (0...min(3, start.count)).contains { String(data: start.dropLast($0), encoding: .utf8) != nil }
        if start.starts(with: [0x50, 0x4B, 0x03, 0x04]) || !utf8 {
            var cells = try OfferSheetController.cells(try Data(contentsOf: url)).enumerated().makeIterator()
            return Pull { cells.next().map { ($0.offset + 1, $0.element) } }
        }
        var reader = try CSVReader(url: url)
        return Pull { reader.next().map { (reader.row, $0) } }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Values pulled one at a time, by one task at a time (an import's), hence unchecked.
final class Pull<Element>: @unchecked Sendable {
    private let read: () throws -> Element?
    init(_ read: @escaping () throws -> Element?) { self.read = read }
    func next() throws -> Element? { try read() }
}
