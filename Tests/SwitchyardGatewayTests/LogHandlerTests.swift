import Logging
import Synchronization
import Testing

import SwitchyardCore
import SwitchyardGateway

@Suite("Log handler")
struct LogHandlerTests {
    /// A logger whose lines are collected.
    func capture(_ format: LogFormat, secrets: [String] = [], _ body: (Logger) -> Void) -> [String] {
        let lines = Mutex<[String]>([])
        let handler = SwitchyardLogHandler(label: "test", format: format, redactor: SecretRedactor(secrets: secrets)) { line in
            lines.withLock { $0.append(line) }
        }
        body(Logger(label: "test", factory: { _ in handler }))
        return lines.withLock { $0 }
    }

    @Test("credentials never reach a line, in the message or the metadata")
    func credentialsAreRedacted() {
        for format in LogFormat.allCases {
            let lines = capture(format, secrets: ["upstream-secret-value"]) { logger in
                logger.info("calling with Authorization: Bearer abc.DEF-123", metadata: ["key": "sk-proj-0123456789abcdef"])
                logger.info("config key upstream-secret-value loaded", metadata: ["virtual": "sy-AbCdEf0123456789"])
                logger.info("header", metadata: ["authorization": "bearer xyz987654"])
            }
            let text = lines.joined()
            #expect(lines.count == 3)
            for secret in ["abc.DEF-123", "0123456789abcdef", "upstream-secret-value", "AbCdEf0123456789", "xyz987654"] {
                #expect(!text.contains(secret), "\(format): \(secret) leaked in \(text)")
            }
            #expect(text.contains("[redacted]"))
        }
    }

    @Test("JSON lines parse and carry the decision id")
    func jsonLines() throws {
        let lines = capture(.json) { logger in
            logger.warning("upstream \"slow\"\nretrying", metadata: ["hb.request.id": "dec-42", "attempt": "2"])
        }
        let object = try JSONParser.parse(try #require(lines.first))
        #expect(object["decision_id"] == "dec-42")
        #expect(object["level"] == "warning")
        #expect(object["message"] == "upstream \"slow\"\nretrying")
        #expect(object["attempt"] == "2")
        #expect(object["hb.request.id"] == nil)
    }
}
