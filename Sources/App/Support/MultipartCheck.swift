import BangfuKit
import Foundation
import Vapor

/// Reads a multipart body before the decoder does. multipart-kit 4 traps (an index past its 128-entry table) on a
/// byte over 0x7F in a part's header name, and on an empty boundary; one such request would end the process. Every
/// header section (what follows each `--boundary` up to the blank line) is checked here: names ASCII, a boundary of
/// 1–70 characters. Text fields (parts without a filename) go through `TextHygiene` like any other field.
enum MultipartCheck {
    static func check(_ body: Data, boundary: String?) throws {
        guard let boundary, (1...70).contains(boundary.utf8.count) else {
            throw APIError(status: .badRequest, code: "bad_multipart", message: "multipart 请求缺少有效的 boundary")
        }
        let bytes = [UInt8](body)
        let delimiter = Array("--\(boundary)".utf8)
        for start in occurrences(of: delimiter, in: bytes) {
            let after = start + delimiter.count
            let end = firstIndex(of: blankLine, in: bytes, from: after) ?? bytes.count
            let lines = split(bytes[after..<end])
            guard lines.allSatisfy({ line in line.prefix { $0 != UInt8(ascii: ":") }.allSatisfy { $0 < 0x80 } }) else {
                throw APIError(status: .badRequest, code: "bad_multipart", message: "multipart 分段头的名称含有非 ASCII 字符")
            }
            try checkField(lines, content: bytes, from: end + blankLine.count, delimiter: delimiter)
        }
    }

    /// A text field's value, up to the next delimiter, must be clean text; file parts are their readers' business.
    private static func checkField(_ headers: [ArraySlice<UInt8>], content bytes: [UInt8], from start: Int,
                                   delimiter: [UInt8]) throws {
        let disposition = headers.map { String(decoding: $0, as: UTF8.self) }
            .first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
        guard !disposition.contains("filename"), start <= bytes.count else { return }
        let end = firstIndex(of: delimiter, in: bytes, from: start) ?? bytes.count
        let value = String(decoding: bytes[start..<end], as: UTF8.self)
        guard TextHygiene.isClean(value) else { throw APIError.invalid(TextHygiene.refusal(field: fieldName(disposition))) }
    }

    static func fieldName(_ disposition: String) -> String {
        guard let r = disposition.range(of: "name=\"") else { return "?" }
        return String(disposition[r.upperBound...].prefix { $0 != "\"" })
    }

    static let blankLine: [UInt8] = [13, 10, 13, 10]

    static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> [Int] {
        var found: [Int] = [], from = 0
        while let i = firstIndex(of: needle, in: bytes, from: from) {
            found.append(i)
            from = i + 1
        }
        return found
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from >= 0, bytes.count >= needle.count,
            from <= bytes.count - needle.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Lines split on CRLF, as the decoder reads them.
    static func split(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = [], start = bytes.startIndex, i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 13, i + 1 < bytes.endIndex, bytes[i + 1] == 10 {
                lines.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        lines.append(bytes[start..<bytes.endIndex])
        return lines
    }
}
