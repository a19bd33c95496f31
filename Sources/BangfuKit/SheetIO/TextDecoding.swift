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
        let cd = iconv_open("UTF-8", "GB18030")
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = [CChar](repeating: 0, count: data.count)
        data.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() { input[i] = CChar(bitPattern: b) }
        }
        var output = [CChar](repeating: 0, count: data.count * 2 + 16)
        var inLeft = input.count, outLeft = output.count
        let ok = input.withUnsafeMutableBufferPointer { inBuf -> Bool in
            output.withUnsafeMutableBufferPointer { outBuf -> Bool in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1
            }
        }
        guard ok, inLeft == 0 else { return nil }
        let bytes = output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// GB18030 bytes for a string, for exports to Excel users who need them.
    public static func encodeGB18030(_ text: String) -> Data? {
        let cd = iconv_open("GB18030", "UTF-8")
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = Array(text.utf8CString.dropLast())
        var output = [CChar](repeating: 0, count: input.count * 2 + 16)
        var inLeft = input.count, outLeft = output.count
        let ok = input.withUnsafeMutableBufferPointer { inBuf -> Bool in
            output.withUnsafeMutableBufferPointer { outBuf -> Bool in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1
            }
        }
        guard ok else { return nil }
        return Data(output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) })
    }
}
