/// How much of an uploaded workbook the reader accepts. Every size an attacker controls is bounded here: the
/// bytes an entry and the archive inflate to, how far one compressed byte may inflate, the cell grid and its
/// filled cells. Excel's own grid (1,048,576 rows × 16,384 columns) is the outer bound of a reference.
public struct SheetLimits: Sendable {
    public var entryBytes = 64 << 20
    public var archiveBytes = 128 << 20
    /// Real workbooks inflate 5–20×; Apache POI refuses past 100× for the same reason.
    public var inflationRatio = 100
    public var rows = 1_048_576
    public var columns = 16_384
    /// Cells in the rows handed back, blanks between filled cells included.
    public var cells = 4_000_000

    public static let standard = SheetLimits()

    public init() {}

    func tooLarge(_ what: String) -> XLSX.Unreadable {
        XLSX.Unreadable(description: "xlsx 超出限制：\(what)")
    }

    /// The most bytes an entry may inflate to: its own limit, what is left of the archive's, and the ratio.
    func ceiling(compressed: UInt64, archiveLeft: Int) -> Int {
        let packed = Int(clamping: max(compressed, 1))
        let (byRatio, overflow) = packed.multipliedReportingOverflow(by: inflationRatio)
        return min(entryBytes, archiveLeft, overflow ? Int.max : byRatio)
    }

    var entryMessage: String {
        "单个文件解压后不超过 \(entryBytes >> 20) MB、压缩比不超过 \(inflationRatio) 倍，全部不超过 \(archiveBytes >> 20) MB"
    }
    var gridMessage: String { "单元格引用不超过 \(rows) 行、\(columns) 列" }
    var cellsMessage: String { "单元格总数不超过 \(cells)" }
}
