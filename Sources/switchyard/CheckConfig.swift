import Foundation
import ArgumentParser
import SwitchyardConfig
import SwitchyardCore

/// `switchyard check-config FILE`: validates a configuration without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and summarise what it defines.",
        discussion: """
            Every problem is reported with file, line, column and key path, e.g.
              switchyard.yaml:14:14: models[2].price.input: expected a number, got "cheap"

            Exits with status 1 when the file has problems. ${ENV} references are resolved against the current environment.
            """
    )

    @Argument(help: "The configuration file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    func run() throws {
        let configuration: GatewayConfiguration
        do {
            configuration = try ConfigLoader().load(path: file)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        print(ConfigurationSummary(configuration).render(file: file))
    }
}

/// A readable overview of a loaded configuration.
struct ConfigurationSummary {
    let configuration: GatewayConfiguration

    init(_ configuration: GatewayConfiguration) {
        self.configuration = configuration
    }

    func render(file: String) -> String {
        var lines = [
            "\(file): OK",
            "  server:    \(configuration.server.host):\(configuration.server.port), body limit \(configuration.server.maxBodyBytes) bytes",
            "  tiers:     \(configuration.tiers.joined(separator: " < "))",
            "  providers: " + configuration.providers.map { "\($0.name) (\($0.kind.rawValue), \($0.baseURL)\($0.apiKey == nil ? "" : ", key set"))" }.joined(separator: ", "),
            "  models:",
        ]
        let rows = configuration.models.map { model in
            [
                model.name, model.tier, "\(model.provider)/\(model.upstreamModel)",
                "$\(formatUSD(model.price.inputPerMillion)) in", "$\(formatUSD(model.price.outputPerMillion)) out",
                "\(model.contextWindow) ctx",
            ]
        }
        lines += TextTable(rows: rows).lines.map { "    " + $0 }
        return lines.joined(separator: "\n")
    }
}

/// Left-aligned columns separated by two spaces.
struct TextTable {
    let rows: [[String]]

    var lines: [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
