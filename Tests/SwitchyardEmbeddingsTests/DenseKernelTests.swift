import Testing
@testable import SwitchyardEmbeddings

/// The dense kernel against a plain triple loop: every row-block path (blocks of 6 or 2 rows and
/// the last odd row), several 16-column strips, fp32 and fp16 weights, and `+=` into what `Y`
/// already holds.
@Suite struct DenseKernelTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    static func expected(x: [Float], weights: [Float], y: [Float], rows m: Int, inner k: Int, columns n: Int) -> [Float] {
        (0..<(m * n)).map { cell in
            let (row, column) = (cell / n, cell % n)
            var sum = Double(y[cell])
            for index in 0..<k { sum += Double(x[row * k + index]) * Double(weights[index * n + column]) }
            return Float(sum)
        }
    }

    @Test(arguments: [1, 2, 5, 7, 13])
    func fp16AndFp32WeightsMatchAPlainProduct(rows m: Int) {
        let (k, n) = (9, 48)
        let x = Self.values(m * k, seed: 1)
        let half = Self.values(k * n, seed: 2).map { Float16($0) }
        let weights = half.map { Float($0) }
        let start = Self.values(m * n, seed: 3)
        let expected = Self.expected(x: x, weights: weights, y: start, rows: m, inner: k, columns: n)

        var fromHalf = start
        var fromFull = start
        x.withUnsafeBufferPointer { x in
            half.withUnsafeBufferPointer { w in
                fromHalf.withUnsafeMutableBufferPointer { y in
                    DenseKernels.multiplyAccumulate(x: x.baseAddress!, rows: m, inner: k, weights: w.baseAddress!, columns: n, into: y.baseAddress!)
                }
            }
            weights.withUnsafeBufferPointer { w in
                fromFull.withUnsafeMutableBufferPointer { y in
                    DenseKernels.multiplyAccumulate(x: x.baseAddress!, rows: m, inner: k, weights: w.baseAddress!, columns: n, into: y.baseAddress!)
                }
            }
        }
        for cell in 0..<(m * n) {
            #expect(abs(fromHalf[cell] - expected[cell]) < 1e-4, "fp16, row \(cell / n), column \(cell % n)")
            #expect(abs(fromFull[cell] - expected[cell]) < 1e-4, "fp32, row \(cell / n), column \(cell % n)")
        }
    }
}
