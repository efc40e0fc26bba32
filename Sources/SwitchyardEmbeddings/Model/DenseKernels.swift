import Foundation

/// An element type the dense kernel can stream weights from (fp32 or fp16).
protocol WeightElement: Sendable {
    /// Sixteen consecutive weights widened to `Float`.
    static func load16(_ pointer: UnsafePointer<Self>) -> SIMD16<Float>
}

extension Float: WeightElement {
    @inline(__always)
    static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }
}

extension Float16: WeightElement {
    @inline(__always)
    static func load16(_ pointer: UnsafePointer<Float16>) -> SIMD16<Float> {
        // A per-lane loop: with F16C (trait AVX2 or AVX512) this is one vcvtph2ps; the generic
        // SIMD16<Float>(SIMD16<Float16>) initializer is not inlined.
        var result = SIMD16<Float>()
        for lane in 0..<16 { result[lane] = Float(pointer[lane]) }
        return result
    }
}

/// The pure-Swift matrix kernels of the forward pass.
enum DenseKernels {
    /// `acc + s × b`, fused when the target has FMA (trait `AVX2` or `AVX512`). Without it a fused
    /// multiply-add would become sixteen `fmaf` library calls, so it is a multiply and an add.
    @inline(__always)
    static func multiplyAdd(_ accumulator: SIMD16<Float>, _ scalar: Float, _ vector: SIMD16<Float>) -> SIMD16<Float> {
        #if AVX2 || AVX512
        return accumulator.addingProduct(SIMD16(repeating: scalar), vector)
        #else
        return accumulator + vector * scalar
        #endif
    }

    /// `acc + a × b` lane by lane, fused only with FMA (see ``multiplyAdd(_:_:_:)``).
    @inline(__always)
    static func multiplyAdd(_ accumulator: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        #if AVX2 || AVX512
        return accumulator.addingProduct(a, b)
        #else
        return accumulator + a * b
        #endif
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func add(_ value: SIMD16<Float>, to pointer: UnsafeMutablePointer<Float>) {
        let sum = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self) + value
        UnsafeMutableRawPointer(pointer).storeBytes(of: sum, as: SIMD16<Float>.self)
    }

    /// `Y[m×n] += X[m×k] · W[k×n]` with fp32 weights (see the generic kernel below).
    static func multiplyAccumulate(
        x: UnsafePointer<Float>, rows m: Int, inner k: Int, weights w: UnsafePointer<Float>, columns n: Int, into y: UnsafeMutablePointer<Float>
    ) {
        kernel(x: x, rows: m, inner: k, weights: w, weightStride: n, columns: n, into: y, outputStride: n)
    }

    /// `Y[m×n] += X[m×k] · W[k×n]` with fp16 weights.
    ///
    /// With F16C (traits `AVX2`, `AVX512`) sixteen weights are widened by one instruction as
    /// they are loaded. Without it every weight widened is a library call, and the kernel would
    /// widen each weight again for every block of two rows (64 times for 128 tokens): so each
    /// 16-column strip of `W` is widened once into an fp32 scratch strip and the kernel runs on
    /// that.
    static func multiplyAccumulate(
        x: UnsafePointer<Float>, rows m: Int, inner k: Int, weights w: UnsafePointer<Float16>, columns n: Int, into y: UnsafeMutablePointer<Float>
    ) {
        #if AVX2 || AVX512
        kernel(x: x, rows: m, inner: k, weights: w, weightStride: n, columns: n, into: y, outputStride: n)
        #else
        precondition(n % 16 == 0, "columns must be a multiple of 16")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k * 16) { strip in
            let widened = strip.baseAddress!
            var column = 0
            while column < n {
                for index in 0..<k {
                    let source = w + index * n + column
                    let target = widened + index * 16
                    for lane in 0..<16 { target[lane] = Float(source[lane]) }
                }
                kernel(x: x, rows: m, inner: k, weights: UnsafePointer(widened), weightStride: 16, columns: 16, into: y + column, outputStride: n)
                column += 16
            }
        }
        #endif
    }

    /// `Y[m×n] += X[m×k] · W[k×n]`, all row-major and dense; `n` a multiple of 16. Rows of `W`
    /// are `weightStride` apart and rows of `Y` `outputStride` apart (both `n` for whole
    /// matrices; a strip of `W` and its columns of `Y` otherwise).
    ///
    /// Private and called only through the concrete overloads above, so it is specialized in
    /// this file even without whole-module optimization (debug builds): an unspecialized call
    /// would go through a witness table for every 16 weights.
    ///
    /// Column strips of 16 outer, blocks of rows inner: a strip of `W` (k × 16) stays in L1/L2
    /// while every row block uses it, so the weights stream from memory once per call, which is
    /// what bounds the cost for short prompts. Blocks are 6 rows with AVX2/AVX-512 (12 ymm or 6 zmm accumulators)
    /// and 2 rows otherwise (8 SSE registers), so the accumulators stay in registers.
    @inline(__always)
    private static func kernel<W: WeightElement>(
        x: UnsafePointer<Float>, rows m: Int, inner k: Int, weights w: UnsafePointer<W>, weightStride: Int, columns n: Int,
        into y: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        precondition(n % 16 == 0, "columns must be a multiple of 16")
        var column = 0
        while column < n {
            var row = 0
            #if AVX2 || AVX512
            while row + 6 <= m {
                let x0 = x + row * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k, x4 = x3 + k, x5 = x4 + k
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>()
                var a3 = SIMD16<Float>(), a4 = SIMD16<Float>(), a5 = SIMD16<Float>()
                var wp = w + column
                for index in 0..<k {
                    let b = W.load16(wp)
                    a0 = multiplyAdd(a0, x0[index], b)
                    a1 = multiplyAdd(a1, x1[index], b)
                    a2 = multiplyAdd(a2, x2[index], b)
                    a3 = multiplyAdd(a3, x3[index], b)
                    a4 = multiplyAdd(a4, x4[index], b)
                    a5 = multiplyAdd(a5, x5[index], b)
                    wp += weightStride
                }
                let yp = y + row * outputStride + column
                add(a0, to: yp)
                add(a1, to: yp + outputStride)
                add(a2, to: yp + 2 * outputStride)
                add(a3, to: yp + 3 * outputStride)
                add(a4, to: yp + 4 * outputStride)
                add(a5, to: yp + 5 * outputStride)
                row += 6
            }
            #endif
            while row + 2 <= m {
                let x0 = x + row * k, x1 = x0 + k
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
                var wp = w + column
                for index in 0..<k {
                    let b = W.load16(wp)
                    a0 = multiplyAdd(a0, x0[index], b)
                    a1 = multiplyAdd(a1, x1[index], b)
                    wp += weightStride
                }
                let yp = y + row * outputStride + column
                add(a0, to: yp)
                add(a1, to: yp + outputStride)
                row += 2
            }
            if row < m {
                let x0 = x + row * k
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
                var wp = w + column
                var index = 0
                while index + 2 <= k {
                    a0 = multiplyAdd(a0, x0[index], W.load16(wp))
                    a1 = multiplyAdd(a1, x0[index + 1], W.load16(wp + weightStride))
                    wp += 2 * weightStride
                    index += 2
                }
                if index < k { a0 = multiplyAdd(a0, x0[index], W.load16(wp)) }
                add(a0 + a1, to: y + row * outputStride + column)
            }
            column += 16
        }
    }

    /// Scaled dot-product attention of one sequence, all heads, no mask (every key is a token
    /// of this sequence): `context[t, h] = softmax(scale · Q_h K_hᵀ)[t] · V_h`.
    ///
    /// `qkv` holds `tokens` rows of `[Q | K | V]` (width 3 × hidden); `context` gets `tokens` rows
    /// of width hidden; `scores` needs room for `tokens` floats.
    static func attention(
        qkv: UnsafePointer<Float>, tokens: Int, hidden: Int, heads: Int, context: UnsafeMutablePointer<Float>,
        scores: UnsafeMutablePointer<Float>
    ) {
        let headSize = hidden / heads
        let stride = 3 * hidden
        let scale = 1 / Float(headSize).squareRoot()
        let chunks = headSize / 16
        precondition(headSize % 16 == 0, "head size must be a multiple of 16")
        for head in 0..<heads {
            let offset = head * headSize
            for query in 0..<tokens {
                let q = qkv + query * stride + offset
                var maximum = -Float.infinity
                for key in 0..<tokens {
                    let kp = qkv + key * stride + hidden + offset
                    var sum = SIMD16<Float>()
                    for chunk in 0..<chunks {
                        sum = multiplyAdd(sum, load(q + 16 * chunk), load(kp + 16 * chunk))
                    }
                    let score = sum.sum() * scale
                    scores[key] = score
                    if score > maximum { maximum = score }
                }
                var total: Float = 0
                for key in 0..<tokens {
                    let e = exp(scores[key] - maximum)
                    scores[key] = e
                    total += e
                }
                let inverse = 1 / total
                let out = context + query * hidden + offset
                for chunk in 0..<chunks {
                    var accumulator = SIMD16<Float>()
                    for key in 0..<tokens {
                        accumulator = multiplyAdd(accumulator, scores[key], load(qkv + key * stride + 2 * hidden + offset + 16 * chunk))
                    }
                    UnsafeMutableRawPointer(out + 16 * chunk).storeBytes(of: accumulator * inverse, as: SIMD16<Float>.self)
                }
            }
        }
    }
}
