#if canImport(Glibc)
import Glibc
#endif
import Vapor

/// Hands memory freed by large work (an import's rows, an export's sheet, a flag scan) back to the system every
/// half minute. glibc keeps freed pages inside its heaps for reuse: measured with `bench/export_memory.py`, a
/// server's heap rose about 100 MiB with every 10,000 rows imported and stayed there, and `malloc_trim` took it
/// from 185 back to 45 MiB — freed memory, not a leak. Without the trim a server's size is its busiest moment.
final class HeapTrimmer: PeriodicWork, @unchecked Sendable {
    init() { super.init(every: .seconds(30)) }

    override func round(_ app: Application) async {
        Self.releaseFreedMemory()
    }

    /// Returns freed pages of every heap to the system; false where the C library has no such call (it is
    /// glibc's, found at run time: Swift's Glibc module does not carry `malloc.h`).
    @discardableResult
    static func releaseFreedMemory() -> Bool {
        guard let trim = mallocTrim else { return false }
        return trim(0) == 1
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = {
        #if canImport(Glibc)
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: MallocTrim.self) }
        #else
        nil
        #endif
    }()
}
