import BangfuKit
import FuzzSupport

@_cdecl("FuzzValues_main")
public func entry(_ argc: CInt, _ argv: Argv?) -> CInt { LibFuzzer.run(argc, argv, fuzz) }

/// One input as the text of one cell (invalid UTF-8 replaced, as `String(decoding:)` and the CSV reader do),
/// handed to every value parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    Amounts.check(text)
    Codes.check(text)
    Texts.check(text)
    Prices.check(text)
    return 0
}
