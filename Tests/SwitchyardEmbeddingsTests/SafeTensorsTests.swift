import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

@Suite("safetensors reader and model loading errors")
struct SafeTensorsTests {
    /// A safetensors file: header length (u64 LE), JSON header, data.
    static func file(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        bytes += headerBytes + data
        return Data(bytes)
    }

    static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern.littleEndian >> (8 * UInt32($0))) } }
    }

    static let goodHeader = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"ids":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}"#

    @Test func readsTensors() throws {
        let data = Self.file(header: Self.goodHeader, data: Self.floatBytes([1, 2, 3, -4.5]) + [UInt8](repeating: 0, count: 8))
        let file = try SafeTensorsFile(data: data, path: "t.safetensors")
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors["w"]?.shape == [2, 2])
        #expect(try file.floats("w", shape: [2, 2]) == [1, 2, 3, -4.5])
    }

    @Test func truncatedFilesAreTypedErrors() {
        let full = Self.file(header: Self.goodHeader, data: Self.floatBytes([1, 2, 3, 4]) + [UInt8](repeating: 0, count: 8))
        for cut in [0, 3, 7, 8, 20, 8 + Self.goodHeader.utf8.count - 1] {
            #expect {
                try SafeTensorsFile(data: full.prefix(cut), path: "cut.safetensors")
            } throws: { error in
                guard case .badHeader(let path, _) = error as? EmbeddingError else { return false }
                return path == "cut.safetensors"
            }
        }
        // Header intact, data region cut short: offsets now point past the end.
        #expect {
            try SafeTensorsFile(data: full.prefix(8 + Self.goodHeader.utf8.count + 10), path: "short.safetensors")
        } throws: { error in
            String(describing: error).contains("outside the")
        }
    }

    @Test func absurdHeaderLengthIsRejected() {
        let data = Self.file(header: "{}", data: [], declaredLength: UInt64.max)
        #expect(throws: EmbeddingError.self) { try SafeTensorsFile(data: data, path: "x") }
    }

    @Test func malformedHeadersAreRejected() {
        for header in ["not json", "[1]", #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, #"{"w":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#]
        {
            let data = Self.file(header: header, data: [UInt8](repeating: 0, count: 16))
            #expect(throws: EmbeddingError.self, "\(header)") { try SafeTensorsFile(data: data, path: "x") }
        }
    }

    @Test func wrongShapeMissingTensorAndDType() throws {
        let data = Self.file(header: Self.goodHeader, data: [UInt8](repeating: 0, count: 24))
        let file = try SafeTensorsFile(data: data, path: "m.safetensors")
        #expect(throws: EmbeddingError.wrongTensorShape(path: "m.safetensors", name: "w", found: [2, 2], expected: [4])) {
            try file.floats("w", shape: [4])
        }
        #expect(throws: EmbeddingError.missingTensor(path: "m.safetensors", name: "v")) { try file.floats("v", shape: [1]) }
        #expect(throws: EmbeddingError.unsupportedDType(path: "m.safetensors", name: "ids", dtype: "I64")) { try file.floats("ids", shape: [1]) }
        #expect(String(describing: EmbeddingError.wrongTensorShape(path: "m.safetensors", name: "w", found: [2, 2], expected: [4]))
            == "m.safetensors: tensor 'w' has shape [2, 2], expected [4]")
    }

    @Test func missingModelFolderNamesTheFile() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-model-\(UUID().uuidString)").path
        #expect(throws: EmbeddingError.missingFile(path: folder + "/model.safetensors")) {
            try MiniLMEmbedder(directory: folder)
        }
    }

    @Test func truncatedModelFileOnDiskIsATypedError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bad-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"hidden_size\": 384}".utf8).write(to: folder.appendingPathComponent("config.json"))
        let vocabulary = ["[PAD]"] + (1..<100).map { "[unused\($0)]" } + ["[UNK]", "[CLS]", "[SEP]"] + (103..<30522).map { "t\($0)" }
        try Data(vocabulary.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("vocab.txt"))
        // The first 100 bytes of a real-looking file: length says 11408, the header is cut.
        try Self.file(header: String(repeating: " ", count: 11408), data: []).prefix(100).write(to: folder.appendingPathComponent("model.safetensors"))
        #expect {
            try MiniLMEmbedder(directory: folder.path)
        } throws: { error in
            guard case .badHeader(let path, _) = error as? EmbeddingError else { return false }
            return path.hasSuffix("model.safetensors")
        }
    }
}
