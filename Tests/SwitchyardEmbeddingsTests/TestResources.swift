import Foundation
import SwitchyardCore
import SwitchyardEmbeddings

/// Where the tests find the model and the shared fixtures.
///
/// * Model: `$SWITCHYARD_MODEL_PATH`, else `<repo>/models/all-MiniLM-L6-v2`. When it is missing the
///   tests run `scripts/fetch-model.sh` once (unless `SWITCHYARD_SKIP_MODEL_FETCH=1`); tests that
///   need the model are skipped when it still cannot be obtained.
/// * Fixtures and data: `<repo>/../shared/{fixtures,data}`, skipped when absent.
enum TestResources {
    /// The repository root, found from this file's path (symlinks resolved, so it also works when
    /// the test target is linked into a scratch package).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let sharedDirectory: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static func fixture(_ name: String) -> URL {
        sharedDirectory.appendingPathComponent("fixtures/minilm").appendingPathComponent(name)
    }

    static func hasFixture(_ name: String) -> Bool { FileManager.default.fileExists(atPath: fixture(name).path) }

    /// The model folder, fetched on first use if needed; nil when it cannot be obtained.
    static let modelDirectory: String? = {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["SWITCHYARD_MODEL_PATH"] ?? repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2").path
        func present() -> Bool {
            MiniLMEmbedder.requiredFiles.allSatisfy { FileManager.default.fileExists(atPath: directory + "/" + $0) }
        }
        if present() { return directory }
        guard environment["SWITCHYARD_SKIP_MODEL_FETCH"] != "1" else {
            print("SKIPPED model tests: no model in \(directory) and SWITCHYARD_SKIP_MODEL_FETCH=1")
            return nil
        }
        let script = repositoryRoot.appendingPathComponent("scripts/fetch-model.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            print("SKIPPED model tests: could not run \(script): \(error)")
            return nil
        }
        if present() { return directory }
        print("SKIPPED model tests: \(script) could not obtain the model into \(directory) (exit \(process.terminationStatus))")
        return nil
    }()

    static var hasModel: Bool { modelDirectory != nil }

    /// The fp32 model with sentence-transformers' 256-token limit, loaded once.
    static let embedder: MiniLMEmbedder? = modelDirectory.flatMap { try? MiniLMEmbedder(directory: $0) }

    /// Reads a JSON fixture.
    static func json(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: fixture(name))
        return try JSONParser.parse(data)
    }

    static func cosine(_ a: [Float], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for index in a.indices {
            dot += Double(a[index]) * b[index]
            na += Double(a[index]) * Double(a[index])
            nb += b[index] * b[index]
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }

    /// Runs seconds of computation on a thread of its own and returns its result.
    ///
    /// A synchronous test runs on one of the cooperative pool's threads (two on a 2-core machine),
    /// and holding one for seconds delays every other test's resumptions: timeouts measured there
    /// then fail. Record expectations on the result, back in the test: `#expect` needs the test's
    /// task.
    static func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
