import Foundation
import SwitchyardEvaluation

/// Writes `metrics.json` and the plots of an evaluation into a folder, with PNG copies when an
/// SVG converter (`rsvg-convert`, `cairosvg` or `inkscape`) is on the PATH.
struct EvalOutput {
    let directory: URL

    /// Files written, in order.
    private(set) var written: [String] = []

    init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    mutating func write(_ document: MetricsDocument, pairs: [PairReport], manyModels: [ManyModelReport]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(document.encoded(), name: "metrics.json")
        for (index, report) in pairs.enumerated() {
            let suffix = index == 0 ? "" : "-" + Self.slug(report.label)
            try write(plot: EvaluationPlots.qualityVsStrongFraction(report), name: "quality-vs-strong-calls\(suffix)")
            if let plot = EvaluationPlots.qualityVsCost(report) { try write(plot: plot, name: "quality-vs-cost\(suffix)") }
        }
        for (index, report) in manyModels.enumerated() {
            let suffix = index == 0 ? "" : "-" + Self.slug(report.label)
            try write(plot: EvaluationPlots.manyModels(report), name: "models-quality-vs-cost\(suffix)")
        }
    }

    private mutating func write(plot: SVGPlot, name: String) throws {
        let svg = directory.appendingPathComponent("\(name).svg")
        try write(Data(plot.render().utf8), name: "\(name).svg")
        if let converter = Self.converter {
            let png = directory.appendingPathComponent("\(name).png")
            if Self.convert(svg: svg.path, png: png.path, with: converter) { written.append(png.path) }
        }
    }

    private mutating func write(_ data: Data, name: String) throws {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url, options: .atomic)
        written.append(url.path)
    }

    /// A file-name-safe form of a label: `routing.jsonl [arc-challenge]` → `arc-challenge`.
    static func slug(_ label: String) -> String {
        let inner = label.split(separator: "[").last.map { String($0.prefix { $0 != "]" }) } ?? label
        let mapped = inner.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(mapped).split(separator: "-").joined(separator: "-")
    }

    /// The first SVG-to-PNG converter found on the PATH.
    static let converter: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in ["rsvg-convert", "cairosvg", "inkscape"] {
            for folder in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    static func convert(svg: String, png: String, with converter: URL) -> Bool {
        let process = Process()
        process.executableURL = converter
        switch converter.lastPathComponent {
        case "rsvg-convert": process.arguments = ["--format", "png", "--output", png, svg]
        case "cairosvg": process.arguments = [svg, "-o", png]
        default: process.arguments = [svg, "--export-type=png", "--export-filename=\(png)"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return false
        }
        return process.terminationStatus == 0 && FileManager.default.fileExists(atPath: png)
    }
}
