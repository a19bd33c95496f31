/// A line chart's geometry (weekly prices against last year and a baseline band), computed here so that pages draw
/// it as SVG without scripts and print it on A4; the figures go in a table beside it. Missing weeks break a line.
public struct LineChart: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public let name: String
        /// Its place among the lines (the style it is drawn in).
        public let index: Int
        /// SVG `points` of each unbroken run.
        public let runs: [String]
    }

    public struct Tick: Codable, Sendable, Equatable {
        public let label: String, x: Int
    }

    public let width: Int, height: Int
    public let lines: [Line]
    /// The band's polygon (low edge forward, high edge back); empty when there is none.
    public let band: String
    public let ticks: [Tick]
    public let top: String, bottom: String
    public let baseline: Int
    /// Where the week labels sit.
    public let labelY: Int

    /// `series`: name and values per label (nil: not reported). `band`: low and high per label.
    public static func make(labels: [String], series: [(name: String, values: [Double?])],
                            band: [(low: Double, high: Double)?] = [], width: Int = 640, height: Int = 220,
                            format: (Double) -> String = { String(Int($0.rounded())) }) -> LineChart {
        let left = 8, right = 8, top = 12, bottom = 24
        let values = series.flatMap { $0.values.compactMap { $0 } } + band.compactMap { $0?.high }
        let high = max(1, values.max() ?? 1) * 1.1
        let step = labels.count > 1 ? Double(width - left - right) / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Int { left + Int((Double(i) * step).rounded()) }
        func y(_ v: Double) -> Int { top + Int((Double(height - top - bottom) * (1 - max(0, v) / high)).rounded()) }
        let lines = series.enumerated().map { i, s in
            Line(name: s.name, index: i, runs: runs(s.values).map { run in
                run.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
            })
        }
        let edges = band.enumerated().compactMap { i, b in b.map { (i, $0) } }
        let polygon = edges.map { "\(x($0.0)),\(y($0.1.low))" } + edges.reversed().map { "\(x($0.0)),\(y($0.1.high))" }
        let every = max(1, labels.count / 8)
        let ticks = labels.enumerated().filter { $0.offset % every == 0 }
            .map { Tick(label: $0.element, x: x($0.offset)) }
        return LineChart(width: width, height: height, lines: lines, band: polygon.joined(separator: " "),
                         ticks: ticks, top: format(high), bottom: "0", baseline: height - bottom,
                         labelY: height - 6)
    }

    /// Consecutive reported points, split where a value is missing.
    static func runs(_ values: [Double?]) -> [[(Int, Double)]] {
        var out: [[(Int, Double)]] = [], current: [(Int, Double)] = []
        for (i, v) in values.enumerated() {
            if let v, v.isFinite {
                current.append((i, v))
            } else if !current.isEmpty {
                out.append(current)
                current = []
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
