/// A column chart's geometry (a trend by month), computed here so that pages draw it as SVG without scripts
/// and print it on A4; the figures go in a table beside it. Coordinates are in the SVG's own units.
public struct ColumnChart: Codable, Sendable, Equatable {
    public struct Column: Codable, Sendable, Equatable {
        public let label: String, value: Int64, display: String
        public let x: Int, y: Int, width: Int, height: Int
        /// Where the label and the figure sit (column centre, baseline and top).
        public let centre: Int, labelY: Int, valueY: Int
    }

    public let width: Int, height: Int
    public let columns: [Column]
    /// The baseline the columns stand on.
    public let baseline: Int

    /// Columns scaled to the largest value (negative values, a month of corrections, stand at zero height).
    public static func make(_ points: [(label: String, value: Int64, display: String)], width: Int = 640,
                            height: Int = 200) -> ColumnChart {
        let top = 18, bottom = 22
        let plot = height - top - bottom
        let largest = max(1, points.map(\.value).max() ?? 1)
        let slot = points.isEmpty ? width : width / points.count
        let bar = max(4, slot * 6 / 10)
        let columns = points.enumerated().map { i, p -> Column in
            // In floating point: geometry only, and plot × value could pass Int64 at the largest amounts.
            let h = p.value <= 0 ? 0 : max(1, Int((Double(plot) * Double(p.value) / Double(largest)).rounded(.down)))
            let x = i * slot + (slot - bar) / 2
            return Column(label: p.label, value: p.value, display: p.display, x: x, y: top + plot - h,
                          width: bar, height: h,
                          centre: x + bar / 2, labelY: height - 6, valueY: top + plot - h - 4)
        }
        return ColumnChart(width: width, height: height, columns: columns, baseline: top + plot)
    }
}
