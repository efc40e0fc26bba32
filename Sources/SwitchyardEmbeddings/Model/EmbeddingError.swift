/// Why an embedding model, exemplar file or router model could not be loaded.
///
/// Every case names the file it is about, so a message such as
/// `"/models/x/model.safetensors: tensor 'encoder.layer.0.attention.self.query.weight' has shape [384, 383], expected [384, 384]"`
/// can be shown to an operator as it is.
public enum EmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required file does not exist or cannot be read.
    case missingFile(path: String)
    /// A file exists but its header or structure is not what the format requires.
    case badHeader(path: String, reason: String)
    /// A required tensor is absent from a safetensors file.
    case missingTensor(path: String, name: String)
    /// A tensor has the wrong shape or element type.
    case wrongTensorShape(path: String, name: String, found: [Int], expected: [Int])
    /// A tensor has an element type the reader does not support here.
    case unsupportedDType(path: String, name: String, dtype: String)
    /// A JSON or JSONL file (config, exemplars, router model, dataset) is malformed.
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): file not found or not readable"
        case .badHeader(let path, let reason):
            "\(path): bad header: \(reason)"
        case .missingTensor(let path, let name):
            "\(path): tensor '\(name)' is missing"
        case .wrongTensorShape(let path, let name, let found, let expected):
            "\(path): tensor '\(name)' has shape \(found), expected \(expected)"
        case .unsupportedDType(let path, let name, let dtype):
            "\(path): tensor '\(name)' has dtype \(dtype), expected F32"
        case .invalidFile(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
