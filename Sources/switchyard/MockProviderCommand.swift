import ArgumentParser
import Hummingbird
import SwitchyardConfig
import SwitchyardGateway
import SwitchyardMock

/// `switchyard mock-provider`: the simulated provider as a standalone server.
struct MockProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-provider",
        abstract: "Run the simulated OpenAI- and Anthropic-compatible provider (for demos, tests and benchmarks).",
        discussion: """
            Serves POST /v1/chat/completions (plain and streamed) for any model name, with deterministic text, token usage and logprobs, and the same answers on POST /v1/messages in Anthropic's Messages format (for providers of kind anthropic).

            Faults can be injected per request with the x-mock-fault header: 429;retry-after=2, 500, 503, 529, 400, 401, context-length, hang, cut-after=5, malformed, error-event=429, delay=250 (qualifiers: model=NAME, times=N). x-mock-answer / x-mock-answers fix the text. GET /mock/requests lists what was received. See docs/mock-provider.md for profiles.
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port = 9090

    @Option(help: "Profile file (YAML): per-model latency, output length, logprobs and fault rates.", completion: .file(extensions: ["yaml", "yml"]))
    var profile: String?

    @Flag(help: "Answer instantly (no simulated latency), for benchmarks.")
    var instant = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        EventLoopSizing.apply()
        var mockProfile = MockProfile()
        if let profile {
            do {
                mockProfile = try MockProfile.load(path: profile)
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
        if instant { mockProfile = mockProfile.withoutLatency }
        let host = host
        logging.bootstrap(secrets: [])
        let app = MockProvider(profile: mockProfile).buildApplication(host: host, port: port, logger: logging.logger(label: "switchyard.mock")) { port in
            printNow("switchyard mock-provider listening on http://\(host):\(port)/v1")
        }
        try await app.runService()
    }
}
