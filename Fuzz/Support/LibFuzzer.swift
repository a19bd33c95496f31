/// The bridge to libFuzzer. SwiftPM links an executable target with `main` renamed to `<Target>_main` (so tests can
/// link executables); a harness has no main of its own, so it defines that symbol and hands over to libFuzzer's
/// driver, which parses the usual flags (-max_total_time, -artifact_prefix, …) and calls the harness per input.
public typealias Argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
public typealias FuzzInput = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Argv?>,
                         _ callback: FuzzInput) -> CInt

public enum LibFuzzer {
    public static func run(_ argc: CInt, _ argv: Argv?, _ callback: FuzzInput) -> CInt {
        var count = argc, vector = argv
        return llvmFuzzerRunDriver(&count, &vector, callback)
    }
}

/// The input as bytes; libFuzzer may pass a null-like pointer with size 0.
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
}

/// An invariant of the code under test. A violation traps, which libFuzzer reports as a crash with the input saved.
public func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant violated: \(message())") }
}
