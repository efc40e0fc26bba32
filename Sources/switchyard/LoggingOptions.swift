import ArgumentParser
import Logging
import SwitchyardGateway

/// `--log-level` and `--log-format`, shared by the commands that run servers.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: "Log format: text, or json (one object per line, with the decision id). Logs go to standard error; credentials are redacted.")
    var logFormat: String = "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'.")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json; got '\(logFormat)'.")
        }
    }

    /// Installs the log handler (once per process), hiding `secrets` wherever they would appear.
    func bootstrap(secrets: [String]) {
        let format = LogFormat(rawValue: logFormat) ?? .text
        let redactor = SecretRedactor(secrets: secrets)
        LoggingSystem.bootstrap { label in SwitchyardLogHandler(label: label, format: format, redactor: redactor) }
    }

    /// A logger with the chosen level.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}
