import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the bytes of a CSV as offices save it: UTF-8 with or without BOM, or GB18030/GBK from
/// Excel on Chinese Windows. Foundation on Linux has no GB18030, so glibc's iconv converts it.
public enum TextDecoding {
    public static func decode(_ data: Data) -> String? {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let s = String(data: bytes, encoding: .utf8) { return s }
        return gb18030(bytes)
    }

    /// GB18030 is a superset of GBK and GB2312, so one decoder reads all three.
    static func gb18030(_ data: Data) -> String? {
        convert(Array(data), from: "GB18030", to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }
    }

    /// GB18030 bytes for a string, for exports to Excel users who need them.
    public static func encodeGB18030(_ text: String) -> Data? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030").map { Data($0) }
    }

    /// One whole-buffer iconv conversion; nil when any byte does not convert.
    static func convert(_ bytes: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        var inLeft = input.count, outLeft = output.count
        let ok = input.withUnsafeMutableBufferPointer { inBuf -> Bool in
            output.withUnsafeMutableBufferPointer { outBuf -> Bool in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1
            }
        }
        guard ok, inLeft == 0 else { return nil }
        return output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) }
    }
}
