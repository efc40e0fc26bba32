import Foundation
import Testing

@testable import SwitchyardGateway

@Suite("CPU latency request")
struct CPULatencyRequestTests {
    @Test("the limit is written as the 32-bit integer the kernel reads")
    func encoding() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpu-latency-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let request = try CPULatencyRequest(microseconds: 25, path: path)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(bytes) == [25, 0, 0, 0])
        #expect(request.microseconds == 25)
        #expect(CPULatencyRequest.current(path: path) == 25)
    }

    @Test("a device that cannot be opened is a failure naming it")
    func unopenable() {
        let path = "/nonexistent/cpu_dma_latency"
        do {
            _ = try CPULatencyRequest(microseconds: 0, path: path)
            Issue.record("a request through a missing device succeeded")
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("No such file"))
        }
    }

    @Test("a limit beyond 32 bits is refused before anything is written")
    func outOfRange() {
        #expect(throws: CPULatencyRequest.Failure.self) { try CPULatencyRequest(microseconds: Int(Int32.max) + 1, path: "/dev/null") }
        #expect(throws: CPULatencyRequest.Failure.self) { try CPULatencyRequest(microseconds: -1, path: "/dev/null") }
    }

    /// The kernel's own device, where the machine allows it (root): while the request lives the
    /// enforced limit is 0; without the permission the failure says what it takes.
    @Test("the kernel enforces a held request of 0, or the failure says what it takes")
    func kernelDevice() throws {
        guard FileManager.default.fileExists(atPath: CPULatencyRequest.devicePath) else { return }
        guard FileManager.default.isWritableFile(atPath: CPULatencyRequest.devicePath) else {
            #expect(throws: CPULatencyRequest.Failure.self) { try CPULatencyRequest(microseconds: 0) }
            return
        }
        let request = try CPULatencyRequest(microseconds: 0)
        #expect(CPULatencyRequest.current() == 0)
        withExtendedLifetime(request) {}
    }
}
