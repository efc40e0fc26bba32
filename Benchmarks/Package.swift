// swift-tools-version:6.1
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, so the root package's identity is the
/// name of whatever folder the repository was cloned into.
let rootPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// Benchmarks live in their own package so the main package does not depend on the benchmark
// tooling. Run: cd Benchmarks && swift package --disable-sandbox benchmark
/// Root package traits for the embedding kernels, e.g. `SWITCHYARD_TRAITS=AVX512` (use
/// `--manifest-cache none` when changing it).
let rootTraits: Set<Package.Dependency.Trait> = Set(
    (Context.environment["SWITCHYARD_TRAITS"] ?? "").split(separator: ",").map { .init(name: String($0)) })

let package = Package(
    name: "SwitchyardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../", traits: rootTraits.isEmpty ? [.defaults] : rootTraits),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "RoutingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: rootPackage),
            ],
            path: "Benchmarks/RoutingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: rootPackage),
                .product(name: "SwitchyardStorage", package: rootPackage),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EmbeddingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchyardCore", package: rootPackage),
                .product(name: "SwitchyardEmbeddings", package: rootPackage),
            ],
            path: "Benchmarks/EmbeddingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
