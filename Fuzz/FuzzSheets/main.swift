import BangfuKit
import Foundation
import FuzzSupport

@_cdecl("FuzzSheets_main")
public func entry(_ argc: CInt, _ argv: Argv?) -> CInt { LibFuzzer.run(argc, argv, fuzz) }

/// One input read as an uploaded workbook and as the bytes of an uploaded CSV. Input that is not a zip is taken as
/// sheet XML and zipped here, uncompressed, so that mutations reach the XML reader instead of a deflate stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let isZip = input.starts(with: [0x50, 0x4B])
    Workbook.check(Data(isZip ? input : StoredZip.workbook(xml: input)))
    CSVText.check(Data(input))
    return 0
}
