import Foundation
import SwitchyardCore

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// mapping tensor names to `{dtype, shape, data_offsets}`, then the raw little-endian data.
///
/// The file is mapped, not read; ``floats(_:shape:)`` copies one tensor out as `[Float]`.
/// Every structural problem (short file, oversized or malformed header, offsets outside the data,
/// a size that does not match the shape) is an ``EmbeddingError`` naming the file, never a crash.
public struct SafeTensorsFile: @unchecked Sendable {
    /// Where one tensor lives.
    public struct TensorInfo: Sendable, Hashable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range relative to the start of the data region.
        public var range: Range<Int>
    }

    /// The file's path (for messages).
    public let path: String
    /// Tensors by name.
    public let tensors: [String: TensorInfo]
    /// Free-form `__metadata__` strings.
    public let metadata: [String: String]
    // Immutable mapped bytes: safe to share between threads.
    private let data: Data
    private let dataStart: Int

    /// Bytes per element of the dtypes the format defines.
    static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]
    /// Largest header accepted (the format's own limit is 100 MB).
    static let maximumHeaderLength = 100_000_000

    /// Maps the file at `path` and parses its header.
    public init(path: String) throws(EmbeddingError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .missingFile(path: path)
        }
        try self.init(data: data, path: path)
    }

    /// Parses safetensors bytes already in memory; `path` is used in error messages.
    public init(data: Data, path: String) throws(EmbeddingError) {
        self.path = path
        self.data = data
        guard data.count >= 8 else {
            throw .badHeader(path: path, reason: "file is \(data.count) bytes, shorter than the 8-byte header length")
        }
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(data[data.startIndex + index]) << (8 * UInt64(index)) }
        guard length <= UInt64(Self.maximumHeaderLength), Int(length) <= data.count - 8 else {
            throw .badHeader(path: path, reason: "header length \(length) exceeds the file size \(data.count)")
        }
        let headerEnd = 8 + Int(length)
        dataStart = headerEnd
        let json: JSONValue
        do {
            json = try JSONParser.parse(data[(data.startIndex + 8)..<(data.startIndex + headerEnd)])
        } catch {
            throw .badHeader(path: path, reason: "header is not valid JSON (\(error))")
        }
        guard let object = json.objectValue else { throw .badHeader(path: path, reason: "header is not a JSON object") }
        let dataLength = data.count - headerEnd
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object.entries {
            if name == "__metadata__" {
                for (key, item) in value.objectValue?.entries ?? JSONObject().entries { metadata[key] = item.stringValue }
                continue
            }
            guard let dtype = value["dtype"]?.stringValue, let size = Self.elementSizes[dtype],
                let shape = value["shape"]?.arrayValue?.compactMap(\.intValue), shape.allSatisfy({ $0 >= 0 }),
                let offsets = value["data_offsets"]?.arrayValue?.compactMap(\.intValue), offsets.count == 2
            else {
                throw .badHeader(path: path, reason: "entry '\(name)' needs dtype, shape and data_offsets [begin, end]")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataLength else {
                throw .badHeader(path: path, reason: "tensor '\(name)' data_offsets \(offsets) lie outside the \(dataLength)-byte data region")
            }
            let count = shape.reduce(1, *)
            guard count * size == offsets[1] - offsets[0] else {
                throw .badHeader(path: path, reason: "tensor '\(name)' has \(offsets[1] - offsets[0]) bytes, shape \(shape) of \(dtype) needs \(count * size)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Copies the F32 tensor `name` out of the file after checking its shape.
    public func floats(_ name: String, shape expected: [Int]) throws(EmbeddingError) -> [Float] {
        guard let info = tensors[name] else { throw .missingTensor(path: path, name: name) }
        guard info.dtype == "F32" else { throw .unsupportedDType(path: path, name: name, dtype: info.dtype) }
        guard info.shape == expected else { throw .wrongTensorShape(path: path, name: name, found: info.shape, expected: expected) }
        let count = info.range.count / 4
        var result = [Float](repeating: 0, count: count)
        let start = data.startIndex + dataStart + info.range.lowerBound
        result.withUnsafeMutableBytes { target in
            data.copyBytes(to: target.bindMemory(to: UInt8.self), from: start..<(start + info.range.count))
        }
        #if _endian(big)
        for index in result.indices { result[index] = Float(bitPattern: UInt32(littleEndian: result[index].bitPattern)) }
        #endif
        return result
    }
}
