/// Number formatting shared by the audit's texts (no locale, so output is stable).
public enum AuditFormat {
    /// `value` with `decimals` digits after the point.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        SVGPlot.fixed(value, decimals)
    }

    /// `0.934` → `93 %`; one decimal below 10 %.
    public static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return (abs(value) < 10 && value.rounded() != value ? fixed(value, 1) : fixed(value, 0)) + " %"
    }

    /// A USD amount with four significant decimals for small amounts, two for large.
    public static func money(_ value: Double) -> String {
        abs(value) >= 100 ? fixed(value, 2) : abs(value) >= 1 ? fixed(value, 3) : fixed(value, 4)
    }

    /// Milliseconds without decimals.
    public static func milliseconds(_ value: Double?) -> String {
        value.map { fixed($0, 0) } ?? "–"
    }
}
