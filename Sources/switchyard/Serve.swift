import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardMock

/// `switchyard serve`: runs the gateway.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway.",
        discussion: """
            With --config, serves the models of that file. With --demo, serves three demo tiers (demo-light, demo-mid, demo-premium): simulated in-process, or real OpenAI models when OPENAI_API_KEY is set, or local Ollama models when OLLAMA_HOST is set.

            SIGINT/SIGTERM stop the server gracefully: requests in flight are finished first.
            """
    )

    @Option(name: .shortAndLong, help: "Configuration file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Flag(help: "Serve the built-in demo configuration (simulated providers unless OPENAI_API_KEY or OLLAMA_HOST is set).")
    var demo = false

    @Flag(help: "With --demo: print the demo configuration and exit.")
    var printConfig = false

    @Option(help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(help: "Port to listen on (overrides server.port; 0 picks a free port).")
    var port: Int?

    @Option(help: "SQLite ledger file (overrides storage.sqlite; default ./switchyard.sqlite).", completion: .file(extensions: ["sqlite"]))
    var database: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if demo == (config != nil) {
            throw ValidationError("Give exactly one of --config FILE or --demo.")
        }
        if printConfig, !demo {
            throw ValidationError("--print-config goes with --demo.")
        }
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535.")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        logging.bootstrap(secrets: secretsToRedact(environment: environment))
        let logger = logging.logger(label: "switchyard")
        if demo {
            let backend = DemoConfiguration.Backend.detect(environment: environment)
            if printConfig {
                print(DemoConfiguration.yaml(for: backend))
                return
            }
            try await runDemo(backend: backend, environment: environment, logger: logger)
            return
        }
        let configuration = try loadConfiguration { try ConfigLoader(environment: environment).load(path: config!) }
        EventLoopSizing.apply(configured: configuration.server.eventLoops, environment: environment)
        let latencyRequest = try holdCPULatencyLimit(configuration.server.cpuLatencyLimitMicroseconds, source: config!, logger: logger)
        defer { withExtendedLifetime(latencyRequest) {} }
        try await runGateway(configuration, logger: logger, description: config!)
    }

    /// Holds `server.cpu_latency_limit_us` for as long as the result lives; exits with status 1,
    /// naming the file and the key, when the machine refuses it.
    func holdCPULatencyLimit(_ microseconds: Int?, source: String, logger: Logger) throws -> CPULatencyRequest? {
        guard let microseconds else { return nil }
        do {
            let request = try CPULatencyRequest(microseconds: microseconds)
            logger.info("holding a CPU latency limit while serving", metadata: ["microseconds": "\(microseconds)"])
            return request
        } catch {
            printError("error: \(source): server.cpu_latency_limit_us: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// Credentials that must never reach a log line: provider keys and the admin key.
    func secretsToRedact(environment: [String: String]) -> [String] {
        var secrets = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SWITCHYARD_ADMIN_KEY"].compactMap { environment[$0] }
        if let config, let configuration = try? ConfigLoader(environment: environment).load(path: config) {
            secrets += configuration.providers.compactMap(\.apiKey) + [configuration.server.adminKey].compactMap { $0 }
            secrets += configuration.providers.flatMap { $0.headers.values }
        }
        return secrets
    }

    /// Loads a configuration, printing its problems and exiting with status 1 if it has any.
    func loadConfiguration(_ load: () throws -> GatewayConfiguration) throws -> GatewayConfiguration {
        do {
            var configuration = try load()
            if let host { configuration.server.host = host }
            if let port { configuration.server.port = port }
            if let database { configuration.storage = .sqlite(path: database) }
            return configuration
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    func runGateway(_ configuration: GatewayConfiguration, logger: Logger, description: String) async throws {
        Self.noteIdlePolicy(configuration, logger: logger)
        let app = try await openStore { () async throws(StoreError) in
            try await GatewayApplication.build(configuration: configuration, logger: logger) { port in
                Self.announce(configuration: configuration, port: port, source: description)
            }
        }
        try await app.runService()
    }

    func runDemo(backend: DemoConfiguration.Backend, environment: [String: String], logger: Logger) async throws {
        EventLoopSizing.apply(environment: environment)
        var environment = environment
        switch backend {
        case .openai, .ollama:
            if backend == .ollama { environment["SWITCHYARD_OLLAMA_URL"] = DemoConfiguration.ollamaURL(host: environment["OLLAMA_HOST"]!) }
            let configuration = try loadConfiguration {
                try ConfigLoader(environment: environment).parse(yaml: DemoConfiguration.yaml(for: backend), file: "<demo:\(backend.rawValue)>")
            }
            try await runGateway(configuration, logger: logger, description: "demo (\(backend == .openai ? "OpenAI" : "Ollama") models)")
        case .simulated:
            // The simulator listens on a free loopback port; the gateway starts once it is up.
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let mock = MockProvider(profile: .demo).buildApplication(port: 0, logger: logger.with(label: "switchyard.mock")) { port in
                continuation.yield(port)
                continuation.finish()
            }
            let baseEnvironment = environment
            let gateway = DemoGatewayService(ports: ports) { mockPort in
                var environment = baseEnvironment
                environment["SWITCHYARD_MOCK_URL"] = "http://127.0.0.1:\(mockPort)/v1"
                let configuration = try loadConfiguration {
                    try ConfigLoader(environment: environment).parse(yaml: DemoConfiguration.simulated, file: "<demo:simulated>")
                }
                Self.noteIdlePolicy(configuration, logger: logger)
                return try await openStore { () async throws(StoreError) in
                    try await GatewayApplication.build(configuration: configuration, logger: logger) { port in
                        Self.announce(configuration: configuration, port: port, source: "demo (simulated providers on 127.0.0.1:\(mockPort))")
                    }
                }
            }
            let group = ServiceGroup(configuration: .init(services: [mock, gateway], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }

    /// Builds the gateway, turning a storage problem into a message and exit status 1.
    func openStore<App>(_ build: () async throws(StoreError) -> App) async throws -> App {
        do {
            return try await build()
        } catch {
            printError("error: storage: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// Logs a notice when the machine's idle CPUs halt at once and the gateway holds no CPU
    /// latency limit: then most of the latency it adds at low load is the hypervisor's.
    static func noteIdlePolicy(_ configuration: GatewayConfiguration, logger: Logger) {
        let holdsLimit = configuration.server.cpuLatencyLimitMicroseconds != nil
        if let notice = IdlePolicy.read().lowLoadLatencyNotice(holdsCPULatencyLimit: holdsLimit) { logger.notice("\(notice)") }
    }

    static func announce(configuration: GatewayConfiguration, port: Int, source: String) {
        let host = configuration.server.host == "0.0.0.0" ? "localhost" : configuration.server.host
        let model = configuration.models.first?.name ?? "MODEL"
        printNow("""
            Switchyard is ready on http://\(host):\(port)  (\(source))
            Models: \(configuration.models.map(\.name).joined(separator: ", "))
            Ledger: \(configuration.storage.description)   Metrics: \(configuration.telemetry.metricsEnabled ? "http://\(host):\(port)/metrics" : "off")
            Try:
              curl -s localhost:\(port)/v1/chat/completions -d '{"model":"\(model)","messages":[{"role":"user","content":"Summarize: the meeting moved to Tuesday."}]}'
              curl -sN localhost:\(port)/v1/chat/completions -d '{"model":"\(model)","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'
              curl -s localhost:\(port)/v1/messages -d '{"model":"auto","max_tokens":200,"messages":[{"role":"user","content":"Is this a refund question? I want my money back."}]}'
            """)
    }
}

/// Runs the demo gateway once the simulator reports its port.
struct DemoGatewayService<App: ApplicationProtocol>: Service {
    let ports: AsyncStream<Int>
    let makeGateway: @Sendable (Int) async throws -> App

    init(ports: AsyncStream<Int>, makeGateway: @escaping @Sendable (Int) async throws -> App) {
        self.ports = ports
        self.makeGateway = makeGateway
    }

    func run() async throws {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        try await makeGateway(port).run()
    }
}

extension Logger {
    func with(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}
