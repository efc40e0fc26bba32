import ArgumentParser
import Foundation
import SwitchyardConfig
import SwitchyardCore
import SwitchyardEvaluation

/// `switchyard eval`: offline routing evaluation on a `routing.jsonl` dataset.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a router offline on a routing dataset: APGR, CPT and AIQ against random and oracle.",
        discussion: """
            The dataset is JSONL, one prompt per line with each model's outcome in [0, 1]:
              {"id": "…", "prompt": "…", "category": "…", "outcomes": {"model-a": 1, "model-b": 0}}
            optionally with "costs_usd" {model: $}, "input_tokens", "output_tokens" {model: n}, "contaminated" and "split" (train/test).

            Two models (--strong, --weak): the router scores every prompt; for each strong-call fraction c in 0, 10 %, …, 100 % the top c by score go to the strong model. Reported: quality(c), PGR(c) = (quality − weak) / (strong − weak), APGR (trapezoid area), CPT(50 %) and CPT(80 %) — for the router, a random router (mean over seeds) and the oracle.

            Many models (--models all, or a comma-separated list): every model's (cost, quality), and the router moving up the ladder of models on their hull; AIQ = area under the non-decreasing convex hull over [cheapest, priciest] ÷ the width.

            Costs per prompt: "costs_usd" if present, else token counts × prices.json (found next to the dataset or given with --prices), else prompt bytes / 4 input tokens and --output-tokens output tokens.

            Examples:
              switchyard eval --dataset ../shared/data/routellm_gsm8k/routing.jsonl --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1
              switchyard eval --dataset ../shared/data/routerbench_subset/routing.jsonl --strong gpt-4-1106-preview --weak mistralai/mixtral-8x7b-chat --models all --out eval-out
            """
    )

    @Option(help: "The routing dataset (JSONL).", completion: .file(extensions: ["jsonl"]))
    var dataset: String

    @Option(help: "Price table (JSON, USD per 1M tokens); default: prices.json next to the dataset, if there is one.", completion: .file(extensions: ["json"]))
    var prices: String?

    @Option(help: "The strong (expensive) model, as named in the dataset's outcomes.")
    var strong: String?

    @Option(help: "The weak (cheap) model, as named in the dataset's outcomes.")
    var weak: String?

    @Option(help: "The router to evaluate: \(EvalCommand.routers().names.joined(separator: ", ")).")
    var router = "heuristic"

    @Option(help: "Also evaluate a policy over many models, RouterBench style: 'all' or a comma-separated list of models.")
    var models: String?

    @Option(help: "Train on this fraction of the prompts (seeded shuffle) and evaluate on the rest; default: the dataset's split field, else all prompts.")
    var trainFraction: Double?

    @Flag(help: "Split by the id's hash instead (even: train, odd: evaluate), as `switchyard train` does for a dataset without a split field: evaluate a trained router only on rows it never saw.")
    var splitByIdHash = false

    @Option(help: "Seed for the train/test shuffle and the router.")
    var seed: UInt64 = 0

    @Option(help: "Number of seeds the random router is averaged over.")
    var randomSeeds = 20

    @Option(help: "Output tokens assumed per prompt when the dataset has neither costs nor token counts.")
    var outputTokens = 256

    @Option(help: "With --router learned: the router file from `switchyard train` (train it on the train split only).", completion: .file(extensions: ["json"]))
    var routerModel: String?

    @Option(help: "With --router semantic or learned: the MiniLM model folder (scripts/fetch-model.sh fetches it).", completion: .directory)
    var modelPath: String = "models/all-MiniLM-L6-v2"

    @Option(help: "With --router semantic: how many of the most similar training prompts each score averages over.")
    var neighbours = 20

    @Option(name: .shortAndLong, help: "Configuration file (YAML) whose routing rules the heuristic router uses; default: the built-in rules.", completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Flag(help: "Keep prompts flagged \"contaminated\": true (RouteLLM leaves them out).")
    var includeContaminated = false

    @Flag(inversion: .prefixedNo, help: "Also report each category separately when the dataset has several.")
    var perCategory = true

    @Option(help: "Folder for metrics.json and the plots (SVG, and PNG when rsvg-convert, cairosvg or inkscape is installed).", completion: .directory)
    var out: String?

    @Flag(help: "Print metrics.json to standard output instead of tables.")
    var json = false

    func validate() throws {
        if (strong == nil) != (weak == nil) { throw ValidationError("Give both --strong and --weak, or neither (then --models is required).") }
        if strong == nil, models == nil { throw ValidationError("Give --strong and --weak, or --models all (or both).") }
        if let trainFraction, !(0..<1).contains(trainFraction) { throw ValidationError("--train-fraction must be at least 0 and below 1; got \(trainFraction).") }
        if splitByIdHash, trainFraction != nil { throw ValidationError("Give --train-fraction or --split-by-id-hash, not both.") }
        if randomSeeds < 1 { throw ValidationError("--random-seeds must be at least 1; got \(randomSeeds).") }
        if neighbours < 1 { throw ValidationError("--neighbours must be at least 1; got \(neighbours).") }
        if outputTokens < 0 { throw ValidationError("--output-tokens must not be negative; got \(outputTokens).") }
    }

    /// The routers `--router` accepts.
    static func routers() -> ScorerRegistry {
        var registry = ScorerRegistry.standard
        registry.register(SemanticScorer.factory(modelPath: "models/all-MiniLM-L6-v2"))
        registry.register(LearnedScorer.factory(routerPath: "router.json", modelPath: "models/all-MiniLM-L6-v2"))
        return registry
    }

    func run() throws {
        var registry = Self.routers()
        registry.register(SemanticScorer.factory(modelPath: modelPath, neighbours: neighbours))
        if router == "learned" {
            guard let routerModel else {
                printError("error: --router learned needs --router-model FILE (from `switchyard train`).")
                throw ExitCode(1)
            }
            registry.register(LearnedScorer.factory(routerPath: routerModel, modelPath: modelPath))
        }
        if let config {
            do {
                registry.register(HeuristicScorer.factory(configuration: try ConfigLoader().load(path: config)))
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
        let document: MetricsDocument
        let pairs: [PairReport]
        let manyModels: [ManyModelReport]
        do {
            (pairs, manyModels) = try evaluate(registry: registry)
            document = MetricsDocument(dataset: dataset, router: router, pairs: pairs, manyModels: manyModels)
            if json { printNow(String(decoding: try document.encoded(), as: UTF8.self)) }
        } catch {
            printError("eval: \(error.description)")
            throw ExitCode(1)
        }
        if !json {
            print((pairs.map(EvalReportText.render) + manyModels.map(EvalReportText.render)).joined(separator: "\n\n"))
        }
        guard let out else { return }
        fflush(nil)  // tables before the stderr summary
        var output = EvalOutput(directory: out)
        do {
            try output.write(document, pairs: pairs, manyModels: manyModels)
        } catch {
            printError("eval: cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        printError("wrote " + output.written.joined(separator: ", ") + (EvalOutput.converter == nil ? " (no SVG-to-PNG converter found: install rsvg-convert for PNGs)" : ""))
    }

    /// Every report: the whole dataset first, then one per category.
    func evaluate(registry: ScorerRegistry) throws(EvaluationError) -> ([PairReport], [ManyModelReport]) {
        var data = try RoutingDatasetReader().read(path: dataset)
        if !includeContaminated { data = data.uncontaminated }
        let costModel = PromptCostModel(prices: try priceTable(), defaultOutputTokens: outputTokens)
        let factory = try registry.factory(named: router)
        let plan = splitByIdHash ? .idHash : SplitPlan.choose(trainFraction: trainFraction, seed: seed, dataset: data)
        let seeds = (0..<UInt64(randomSeeds)).map { seed &+ $0 }
        let subsets = [data] + (perCategory && data.categories.count > 1 ? data.categories.map(data.category) : [])
        let name = URL(fileURLWithPath: dataset).deletingLastPathComponent().lastPathComponent

        var pairs: [PairReport] = []
        if let strong, let weak {
            try data.require(model: strong)
            try data.require(model: weak)
            let evaluator = PairEvaluator(strongModel: strong, weakModel: weak, costModel: costModel, randomSeeds: seeds)
            for (index, subset) in subsets.enumerated() {
                let label = index == 0 ? name : "\(name) [\(subset.records.first?.category ?? "")]"
                let progress = ProgressIndicator(label: "scoring \(label) with \(router)")
                defer { progress.finish() }
                pairs.append(try evaluator.evaluate(
                    factory: factory, split: try DatasetSplit(subset.records, plan: plan), plan: plan, label: label, seed: seed,
                    progress: { progress.update($0, $1) }))
            }
        }
        var manyModels: [ManyModelReport] = []
        if let models {
            let names = models == "all" ? data.models : models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for model in names { try data.require(model: model) }
            let evaluator = ManyModelEvaluator(models: names, costModel: costModel, randomSeeds: seeds)
            for (index, subset) in subsets.enumerated() {
                let label = index == 0 ? name : "\(name) [\(subset.records.first?.category ?? "")]"
                let progress = ProgressIndicator(label: "routing \(label) over \(names.count) models")
                defer { progress.finish() }
                manyModels.append(try evaluator.evaluate(
                    factory: factory, split: try DatasetSplit(subset.records, plan: plan), plan: plan, label: label, seed: seed,
                    progress: { progress.update($0, $1) }))
            }
        }
        return (pairs, manyModels)
    }

    /// `--prices`, else `prices.json` beside the dataset, else none.
    func priceTable() throws(EvaluationError) -> PriceTable? {
        if let prices { return try PriceTableReader().read(path: prices) }
        let sibling = URL(fileURLWithPath: dataset).deletingLastPathComponent().appendingPathComponent("prices.json").path
        return FileManager.default.fileExists(atPath: sibling) ? try PriceTableReader().read(path: sibling) : nil
    }
}
