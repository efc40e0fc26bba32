// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// For the modules on the request path: a nonisolated async function runs on its caller's
/// executor instead of hopping to the generic one (each hop read the task's executor preference
/// under a lock: 52 per routed request). Not for the storage module, whose ledger writer moves
/// between its two threads by executor preference and relies on going back to the preferred
/// executor after every await, nor for the tests.
let requestPathSettings: [SwiftSetting] = swiftSettings + [
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardCore", targets: ["SwitchyardCore"]),
        .library(name: "SwitchyardGateway", targets: ["SwitchyardGateway"]),
        .library(name: "SwitchyardMock", targets: ["SwitchyardMock"]),
        .library(name: "SwitchyardStorage", targets: ["SwitchyardStorage"]),
        .library(name: "SwitchyardEmbeddings", targets: ["SwitchyardEmbeddings"]),
    ],
    // The embedding model's kernels: portable by default; opt in to a CPU or OpenBLAS with
    // `swift build --traits AVX2,OpenBLAS` (see docs/embeddings.md).
    traits: [
        .trait(name: "OpenBLAS", description: "Embedding model dense layers through OpenBLAS (apt: libopenblas-dev, pkgconf)."),
        .trait(name: "AVX2", description: "Embedding kernels for x86-64 AVX2/FMA/F16C (Haswell+); the binary then needs such a CPU."),
        .trait(name: "AVX512", description: "Embedding kernels for x86-64 AVX-512 (Skylake-SP/Ice Lake/Zen 4+); use instead of AVX2."),
        .trait(
            name: "Mimalloc",
            description: "Link mimalloc as the process's allocator (apt: libmimalloc-dev): 5–8% less CPU per proxied request than glibc's malloc."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        // One trait per multi-trait dependency keeps SwiftPM's -D order stable (see
        // ../shared/research/swift-stack.md, "Spurious rebuilds").
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["ConfigurationSupport"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Pure domain logic: no networking, no database, no files.
        .target(
            name: "SwitchyardCore",
            swiftSettings: requestPathSettings
        ),
        // Reads switchyard.yaml into Core's configuration values, with file/line/key errors.
        .target(
            name: "SwitchyardConfig",
            dependencies: [
                "SwitchyardCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardProviders",
            dependencies: [
                "SwitchyardCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: requestPathSettings
        ),
        .systemLibrary(name: "CMimalloc", path: "Sources/CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The local sentence-embedding model (MiniLM) and the semantic classifiers built on it.
        .target(
            name: "SwitchyardEmbeddings",
            dependencies: ["SwitchyardCore", .target(name: "COpenBLAS", condition: .when(traits: ["OpenBLAS"]))],
            swiftSettings: swiftSettings + [
                // The math must be optimised even in debug builds (the parity tests would take
                // minutes otherwise); no -wmo here, it breaks debug builds.
                .unsafeFlags(["-O"]),
                .unsafeFlags(["-target-cpu", "haswell"], .when(traits: ["AVX2"])),
                .unsafeFlags(["-target-cpu", "skylake-avx512"], .when(traits: ["AVX512"])),
            ]
        ),
        // Offline routing evaluation (APGR, CPT, AIQ), SVG plots, the cost simulator and the audit's logic. Reads files; no network.
        .target(
            name: "SwitchyardEvaluation",
            dependencies: ["SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        // The HTTP side of `switchyard audit`: an OpenAI-wire client of a running gateway that feeds
        // SwitchyardEvaluation's audit runner (kept out of the executable so tests can drive it).
        .target(
            name: "SwitchyardAuditClient",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardEvaluation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Store implementations (SQLite through GRDB, PostgreSQL through PostgresNIO) and the
        // background ledger writer.
        .target(
            name: "SwitchyardStorage",
            dependencies: [
                "SwitchyardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for binding ledger rows without GRDB's per-value conversions.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardMock",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardGateway",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardConfig",
                "SwitchyardProviders",
                "SwitchyardStorage",
                "SwitchyardEmbeddings",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: requestPathSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardCore",
                "SwitchyardConfig",
                "SwitchyardGateway",
                "SwitchyardMock",
                "SwitchyardStorage",
                "SwitchyardEvaluation",
                "SwitchyardAuditClient",
                "SwitchyardEmbeddings",
                "SwitchyardProviders",
                .target(name: "CMimalloc", condition: .when(traits: ["Mimalloc"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the server tests share: running a server for a test and shutting it down gracefully.
        .target(
            name: "SwitchyardTestSupport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: ["SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardConfigTests",
            dependencies: ["SwitchyardConfig", "SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardEmbeddingsTests",
            dependencies: ["SwitchyardEmbeddings", "SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardEvaluationTests",
            dependencies: ["SwitchyardEvaluation", "SwitchyardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardStorageTests",
            dependencies: ["SwitchyardStorage", "SwitchyardCore", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardMockTests",
            dependencies: [
                "SwitchyardMock", "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardProvidersTests",
            dependencies: [
                "SwitchyardProviders", "SwitchyardMock", "SwitchyardCore", "SwitchyardGateway", "SwitchyardTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardGatewayTests",
            dependencies: [
                "SwitchyardGateway", "SwitchyardMock", "SwitchyardConfig", "SwitchyardCore", "SwitchyardProviders", "SwitchyardStorage",
                "SwitchyardEvaluation", "SwitchyardAuditClient", "SwitchyardTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
