import Foundation

/// Row-wise operations of the forward pass: LayerNorm, GELU, pooling.
enum VectorMath {
    // A file-local copy: without whole-module optimization, helpers in other files are not inlined.
    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// `rows[i] = LayerNorm(rows[i] + residual[i]) · gamma + beta` in place (residual optional),
    /// for `count` rows of `width` floats.
    static func addLayerNorm(
        _ rows: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, count: Int, width: Int, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let chunks = width / 16
        for row in 0..<count {
            let x = rows + row * width
            let residualRow = residual.map { $0 + row * width }
            var sum = SIMD16<Float>()
            for chunk in 0..<chunks {
                var value = load(x + 16 * chunk)
                if let residualRow { value += load(residualRow + 16 * chunk) }
                UnsafeMutableRawPointer(x + 16 * chunk).storeBytes(of: value, as: SIMD16<Float>.self)
                sum += value
            }
            let mean = sum.sum() / Float(width)
            var squares = SIMD16<Float>()
            for chunk in 0..<chunks {
                let centered = load(x + 16 * chunk) - mean
                squares += centered * centered
            }
            let inverse = 1 / (squares.sum() / Float(width) + epsilon).squareRoot()
            for chunk in 0..<chunks {
                let normalized = (load(x + 16 * chunk) - mean) * inverse
                let value = normalized * load(gamma + 16 * chunk) + load(beta + 16 * chunk)
                UnsafeMutableRawPointer(x + 16 * chunk).storeBytes(of: value, as: SIMD16<Float>.self)
            }
        }
    }

    /// `erf(x)` by Eigen's rational approximation (max abs error ≈ 4e-7 after clamping to ±4).
    /// `libm`'s `erff` cost 11 % of a forward pass.
    @inline(__always)
    static func erf(_ input: SIMD16<Float>) -> SIMD16<Float> {
        // `clamped(lowerBound:upperBound:)` compiles to a scalar loop; masked replace vectorizes.
        var x = input
        x.replace(with: 4, where: x .> 4)
        x.replace(with: -4, where: x .< -4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = p * x2 + -2.10102402082508e-06
        p = p * x2 + -5.69250639462346e-05
        p = p * x2 + -7.34990630326855e-04
        p = p * x2 + -2.95459980854025e-03
        p = p * x2 + -1.60960333262415e-02
        p = p * x
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = q * x2 + -1.68282697438203e-03
        q = q * x2 + -7.37332916720468e-03
        q = q * x2 + -1.42647390514189e-02
        return p / q
    }

    /// GELU (erf form): `x · ½ (1 + erf(x / √2))`, in place; `count` a multiple of 16.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let inverseRoot2: Float = 0.70710678118654752
        var index = 0
        while index < count {
            let x = load(values + index)
            let y = x * 0.5 * (1 + erf(x * inverseRoot2))
            UnsafeMutableRawPointer(values + index).storeBytes(of: y, as: SIMD16<Float>.self)
            index += 16
        }
    }

    /// Mean of `count` rows of `width` floats, L2-normalized (norm floored at 1e-12).
    static func meanPoolNormalize(_ rows: UnsafePointer<Float>, count: Int, width: Int) -> [Float] {
        var result = [Float](repeating: 0, count: width)
        guard count > 0 else { return result }
        for row in 0..<count {
            for column in 0..<width { result[column] += rows[row * width + column] }
        }
        var norm: Float = 0
        for column in 0..<width {
            result[column] /= Float(count)
            norm += result[column] * result[column]
        }
        let inverse = 1 / max(norm.squareRoot(), 1e-12)
        for column in 0..<width { result[column] *= inverse }
        return result
    }
}
