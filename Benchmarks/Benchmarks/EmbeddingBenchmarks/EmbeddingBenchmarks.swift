import Benchmark
import Foundation
import SwitchyardCore
import SwitchyardEmbeddings

/// The local embedding model: one prompt of 16 and of 128 tokens through MiniLM (fp32 and fp16
/// weights), the tokenizer alone, and the learned router's scoring. Needs the model
/// (`scripts/fetch-model.sh`); without it the benchmarks are not registered and a line says so.
///
/// For CPU-specific kernels: `SWITCHYARD_TRAITS=AVX512 swift package --manifest-cache none
/// --disable-sandbox benchmark --target EmbeddingBenchmarks`.
let benchmarks: @Sendable () -> Void = {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/all-MiniLM-L6-v2").path
    let fp32: MiniLMEmbedder
    let fp16: MiniLMEmbedder
    do {
        fp32 = try MiniLMEmbedder(directory: directory, options: EmbeddingModelOptions(maxTokens: 256))
        fp16 = try MiniLMEmbedder(directory: directory, options: EmbeddingModelOptions(maxTokens: 256, weightPrecision: .float16, backend: .swiftSIMD))
    } catch {
        print("EmbeddingBenchmarks: no model at \(directory) (run scripts/fetch-model.sh): \(error)")
        return
    }
    // 14 words ≈ 16 tokens with [CLS]/[SEP]; the long prompt is cut to exactly 128 tokens.
    let short = "Summarize the attached meeting notes for the finance team in three bullet points."
    let long = String(repeating: "Explain step by step why the refund was booked twice after the processor timed out, and compare the fixes. ", count: 12)
    let long128 = fp32.truncating(to: 128)
    let long128Half = fp16.truncating(to: 128)
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .cpuUser], maxDuration: .seconds(10), maxIterations: 400)

    Benchmark("MiniLM: embed 16 tokens (fp32)", configuration: configuration) { _ in blackHole(fp32.embed(short)) }
    Benchmark("MiniLM: embed 16 tokens (fp16)", configuration: configuration) { _ in blackHole(fp16.embed(short)) }
    Benchmark("MiniLM: embed 128 tokens (fp32)", configuration: configuration) { _ in blackHole(long128.embed(long)) }
    Benchmark("MiniLM: embed 128 tokens (fp16)", configuration: configuration) { _ in blackHole(long128Half.embed(long)) }
    Benchmark("MiniLM: tokenize 128 tokens", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5))) { _ in
        blackHole(long128.tokenize(long))
    }
}
