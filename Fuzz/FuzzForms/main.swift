import BangfuKit
import Foundation
import FuzzSupport

@_cdecl("FuzzForms_main")
public func entry(_ argc: CInt, _ argv: Argv?) -> CInt { LibFuzzer.run(argc, argv, fuzz) }

/// One input as the cells of a seed form: decoded and split as a CSV upload is, then read by every form reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = TextDecoding.decode(Data(bytes(data, size))) else { return 0 }
    let cells = CSV.parse(text)
    Attachment1Check.check(cells)
    SalesReportCheck.check(cells)
    PlatformCheck.check(cells)
    TrackingCheck.check(cells)
    _ = try? RegionFile.parse(text, known: ["500000000000"])
    return 0
}

/// A stand-in for the importer's region lookup: codes as themselves, and any place ending in 村 as one village,
/// so that the seeds' place names ("云阳县龙角镇示例村") resolve and rows get past the region check.
func resolve(_ place: String) -> RegionCode? {
    RegionCode(place) ?? (place.hasSuffix("村") ? RegionCode("500235100001") : nil)
}
