import Foundation
import SwitchyardEvaluation

/// The real routing datasets in `../shared/data` (see its README), found from this file's path.
enum SharedData {
    static let directory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // repository root
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The dataset and its prices, or `nil` (after printing why) when the folder is absent.
    static func load(_ folder: String) throws -> (dataset: RoutingDataset, prices: PriceTable)? {
        let base = directory.appendingPathComponent(folder)
        let routing = base.appendingPathComponent("routing.jsonl").path
        guard FileManager.default.fileExists(atPath: routing) else {
            print("SKIPPED \(folder): \(routing) is not present (the shared datasets live beside the repository)")
            return nil
        }
        return (try RoutingDatasetReader().read(path: routing), try PriceTableReader().read(path: base.appendingPathComponent("prices.json").path))
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"
    }

    static func number(_ value: Double?) -> String {
        value.map { String(format: "%.4f", $0) } ?? "n/a"
    }
}
