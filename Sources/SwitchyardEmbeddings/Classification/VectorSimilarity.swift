/// Helpers for unit vectors.
public enum VectorSimilarity {
    /// Dot product (cosine for unit vectors).
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        var sum = SIMD16<Float>()
        var index = 0
        let count = min(a.count, b.count)
        while index + 16 <= count {
            sum += UnsafeRawPointer(a.baseAddress! + index).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(b.baseAddress! + index).loadUnaligned(as: SIMD16<Float>.self)
            index += 16
        }
        var total = sum.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// Dot product of two arrays (cosine for unit vectors).
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in dot(x, y) } }
    }

    /// `vector` scaled to unit length (unchanged when it is zero).
    public static func normalized(_ vector: [Float]) -> [Float] {
        let norm = dot(vector, vector).squareRoot()
        guard norm > 0, norm.isFinite else { return vector }
        return vector.map { $0 / norm }
    }
}
