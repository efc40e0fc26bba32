import Foundation

/// A line/scatter chart rendered as a standalone SVG document, without dependencies.
public struct SVGPlot: Sendable {
    /// How a series is drawn.
    public enum Style: Sendable, Hashable {
        /// A solid line with a dot at each point.
        case line
        /// A dashed line without dots (reference levels, hulls of baselines).
        case dashed
        /// Dots only, each labelled with its point label.
        case markers
    }

    /// One named set of points drawn in one colour.
    public struct Series: Sendable {
        public var name: String
        /// CSS colour, e.g. `#1f77b4`.
        public var color: String
        public var style: Style
        public var points: [(x: Double, y: Double, label: String?)]

        public init(name: String, color: String, style: Style, points: [(x: Double, y: Double, label: String?)]) {
            self.name = name
            self.color = color
            self.style = style
            self.points = points
        }
    }

    /// How axis tick values are written.
    public enum AxisFormat: Sendable {
        case number, percent, usd
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xFormat: AxisFormat
    public var yFormat: AxisFormat
    public var series: [Series]
    public var width = 800.0
    public var height = 500.0

    public init(title: String, xLabel: String, yLabel: String, xFormat: AxisFormat = .number, yFormat: AxisFormat = .number, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.series = series
    }

    /// The SVG document.
    public func render() -> String {
        let left = 78.0, right = 240.0, top = 46.0, bottom = 62.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.points)
        let xTicks = Self.ticks(all.map(\.x))
        let yTicks = Self.ticks(all.map(\.y))
        let (x0, x1) = (xTicks.first ?? 0, xTicks.last ?? 1)
        let (y0, y1) = (yTicks.first ?? 0, yTicks.last ?? 1)
        func px(_ x: Double) -> Double { left + (x1 == x0 ? 0.5 : (x - x0) / (x1 - x0)) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y1 == y0 ? 0.5 : (y - y0) / (y1 - y0)) * plotHeight }

        var svg = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"#,
            #"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="white"/>"#,
            #"<text x="\#(n(left + plotWidth / 2))" y="26" text-anchor="middle" font-size="15" font-weight="bold">\#(Self.escape(title))</text>"#,
        ]
        for tick in xTicks {
            svg.append(#"<line x1="\#(n(px(tick)))" y1="\#(n(top))" x2="\#(n(px(tick)))" y2="\#(n(top + plotHeight))" stroke="rgb(229,229,229)"/>"#)
            svg.append(#"<text x="\#(n(px(tick)))" y="\#(n(top + plotHeight + 18))" text-anchor="middle">\#(Self.escape(Self.format(tick, xFormat, step: Self.step(xTicks))))</text>"#)
        }
        for tick in yTicks {
            svg.append(#"<line x1="\#(n(left))" y1="\#(n(py(tick)))" x2="\#(n(left + plotWidth))" y2="\#(n(py(tick)))" stroke="rgb(229,229,229)"/>"#)
            svg.append(#"<text x="\#(n(left - 8))" y="\#(n(py(tick) + 4))" text-anchor="end">\#(Self.escape(Self.format(tick, yFormat, step: Self.step(yTicks))))</text>"#)
        }
        svg.append(#"<rect x="\#(n(left))" y="\#(n(top))" width="\#(n(plotWidth))" height="\#(n(plotHeight))" fill="none" stroke="rgb(51,51,51)"/>"#)
        svg.append(#"<text x="\#(n(left + plotWidth / 2))" y="\#(n(height - 18))" text-anchor="middle">\#(Self.escape(xLabel))</text>"#)
        svg.append(#"<text x="18" y="\#(n(top + plotHeight / 2))" text-anchor="middle" transform="rotate(-90 18 \#(n(top + plotHeight / 2)))">\#(Self.escape(yLabel))</text>"#)

        for item in series where !item.points.isEmpty {
            let color = Self.escape(item.color)
            svg.append(#"<g><title>\#(Self.escape(item.name))</title>"#)
            if item.style != .markers, item.points.count > 1 {
                let path = item.points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
                let dash = item.style == .dashed ? #" stroke-dasharray="6 4""# : ""
                svg.append(#"<polyline points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"\#(dash)/>"#)
            }
            if item.style != .dashed {
                for point in item.points {
                    svg.append(#"<circle cx="\#(n(px(point.x)))" cy="\#(n(py(point.y)))" r="3.2" fill="\#(color)"/>"#)
                    if item.style == .markers, let label = point.label {
                        svg.append(#"<text x="\#(n(px(point.x) + 5))" y="\#(n(py(point.y) - 5))" font-size="9" fill="rgb(68,68,68)">\#(Self.escape(label))</text>"#)
                    }
                }
            }
            svg.append("</g>")
        }
        for (index, item) in series.enumerated() {
            let y = top + 10 + Double(index) * 20
            let x = left + plotWidth + 16
            let dash = item.style == .dashed ? #" stroke-dasharray="6 4""# : ""
            if item.style == .markers {
                svg.append(#"<circle cx="\#(n(x + 12))" cy="\#(n(y))" r="3.2" fill="\#(Self.escape(item.color))"/>"#)
            } else {
                svg.append(#"<line x1="\#(n(x))" y1="\#(n(y))" x2="\#(n(x + 24))" y2="\#(n(y))" stroke="\#(Self.escape(item.color))" stroke-width="2"\#(dash)/>"#)
            }
            svg.append(#"<text x="\#(n(x + 30))" y="\#(n(y + 4))">\#(Self.escape(Self.shorten(item.name, 32)))</text>"#)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// About six round tick values covering `values`.
    static func ticks(_ values: [Double]) -> [Double] {
        guard var low = values.min(), var high = values.max() else { return [0, 1] }
        if high == low {
            low -= low == 0 ? 0.5 : abs(low) * 0.1
            high += high == 0 ? 0.5 : abs(high) * 0.1
        }
        let raw = (high - low) / 5
        let magnitude = pow10(floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(low / step) * step
        var ticks: [Double] = []
        var value = first
        while value < high + step * 0.999 && ticks.count < 20 {
            ticks.append(value)
            value = first + Double(ticks.count) * step
        }
        return ticks
    }

    static func step(_ ticks: [Double]) -> Double { ticks.count > 1 ? ticks[1] - ticks[0] : 1 }

    static func format(_ value: Double, _ format: AxisFormat, step: Double) -> String {
        let decimals = max(0, Int(ceil(-log10(step * (format == .percent ? 100 : 1)))))
        switch format {
        case .number: return fixed(value, decimals)
        case .percent: return fixed(value * 100, decimals) + "%"
        case .usd: return "$" + fixed(value, decimals)
        }
    }

    /// `value` with exactly `decimals` digits after the point (no exponent), e.g. `0.625`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        let scale = pow10(Double(decimals))
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int(rounded)) }
        let negative = rounded < 0
        let scaled = Int((abs(rounded) * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (negative ? "-" : "") + "\(whole).\(fraction)"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// Coordinates with two decimals.
private func n(_ value: Double) -> String {
    SVGPlot.fixed(value, 2)
}

private func pow10(_ exponent: Double) -> Double {
    var result = 1.0
    if exponent >= 0 {
        for _ in 0..<Int(exponent) { result *= 10 }
    } else {
        for _ in 0..<Int(-exponent) { result /= 10 }
    }
    return result
}
