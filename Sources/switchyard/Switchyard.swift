import ArgumentParser

/// The `switchyard` command-line tool.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A cost-aware LLM gateway: OpenAI-compatible, routes each request to the cheapest model that can do the job.",
        discussion: """
            Quick start:  switchyard serve --demo
            Then:         curl -s localhost:8080/v1/chat/completions -d '{"model":"demo-light","messages":[{"role":"user","content":"hi"}]}'
            """,
        version: "switchyard, memory allocator: \(ProcessAllocator.description)",
        subcommands: [Serve.self, RouteCommand.self, ReportCommand.self, KeysCommand.self, TenantsCommand.self, EvalCommand.self, SimulateCommand.self, AuditCommand.self, TrainCommand.self, CheckConfig.self, MockProviderCommand.self, PassthroughCommand.self]
    )
}
