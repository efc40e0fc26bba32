import Foundation

/// Binary logistic regression on standardized features, trained by full-batch accelerated
/// gradient descent (Nesterov, FISTA schedule) with an L2 penalty. The step is 1/L, where L bounds
/// the loss's curvature (largest eigenvalue of ZᵀZ/4n, by power iteration, plus λ), so training
/// converges without tuning a learning rate even when features are strongly correlated, as
/// embedding dimensions are. Deterministic: no shuffling, no random start (weights start at
/// zero; the loss is convex).
public struct LogisticRegression: Sendable, Hashable {
    /// Training settings.
    public struct Options: Sendable, Hashable {
        /// L2 penalty λ on the weights (not the bias): loss = mean log-loss + λ/2 · ‖w‖².
        public var l2: Double
        public var iterations: Int
        /// Step size as a multiple of the safe step 1/L (values above 1 may diverge).
        public var learningRate: Double
        /// Stops early once the gradient's norm falls below this.
        public var tolerance: Double

        public init(l2: Double = 0.01, iterations: Int = 1000, learningRate: Double = 1, tolerance: Double = 1e-6) {
            self.l2 = l2
            self.iterations = iterations
            self.learningRate = learningRate
            self.tolerance = tolerance
        }
    }

    /// Per-feature mean and standard deviation used to standardize inputs.
    public var means: [Double]
    public var standardDeviations: [Double]
    public var weights: [Double]
    public var bias: Double

    public init(means: [Double], standardDeviations: [Double], weights: [Double], bias: Double) {
        precondition(means.count == weights.count && standardDeviations.count == weights.count, "means, stds and weights must have one entry per feature")
        self.means = means
        self.standardDeviations = standardDeviations
        self.weights = weights
        self.bias = bias
    }

    /// Fits `P(label = true | x)` to `samples` (all of one width).
    public static func train(samples: [[Double]], labels: [Bool], options: Options = Options()) -> LogisticRegression {
        precondition(!samples.isEmpty && samples.count == labels.count, "need one label per sample and at least one sample")
        let n = samples.count
        let d = samples[0].count
        var means = [Double](repeating: 0, count: d)
        var stds = [Double](repeating: 0, count: d)
        for sample in samples {
            precondition(sample.count == d, "every sample must have \(d) features")
            for j in 0..<d { means[j] += sample[j] }
        }
        for j in 0..<d { means[j] /= Double(n) }
        for sample in samples { for j in 0..<d { stds[j] += (sample[j] - means[j]) * (sample[j] - means[j]) } }
        for j in 0..<d {
            let deviation = (stds[j] / Double(n)).squareRoot()
            stds[j] = deviation > 1e-12 ? deviation : 1  // constant features stay at 0 after centring
        }
        // Standardized design matrix, row-major.
        var z = [Double](repeating: 0, count: n * d)
        for (i, sample) in samples.enumerated() { for j in 0..<d { z[i * d + j] = (sample[j] - means[j]) / stds[j] } }
        let y = labels.map { $0 ? 1.0 : 0.0 }

        // Gradient of the penalized mean log-loss at (w, b).
        func gradient(_ w: [Double], _ b: Double) -> ([Double], Double) {
            var gw = [Double](repeating: 0, count: d)
            var gb = 0.0
            z.withUnsafeBufferPointer { zp in
                for i in 0..<n {
                    let row = zp.baseAddress! + i * d
                    var logit = b
                    for j in 0..<d { logit += w[j] * row[j] }
                    let error = sigmoid(logit) - y[i]
                    gb += error
                    for j in 0..<d { gw[j] += error * row[j] }
                }
            }
            for j in 0..<d { gw[j] = gw[j] / Double(n) + options.l2 * w[j] }
            return (gw, gb / Double(n))
        }

        // Curvature bound: λmax([Z 1]ᵀ[Z 1] / n) / 4 + λ, by power iteration from a fixed start.
        var vector = [Double](repeating: 1 / Double(d + 1).squareRoot(), count: d + 1)
        var eigenvalue = 1.0
        for _ in 0..<50 {
            var next = [Double](repeating: 0, count: d + 1)
            for i in 0..<n {
                var dot = vector[d]
                for j in 0..<d { dot += z[i * d + j] * vector[j] }
                for j in 0..<d { next[j] += z[i * d + j] * dot }
                next[d] += dot
            }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(n)
            guard norm > 0 else { break }
            eigenvalue = norm
            vector = next.map { $0 / (norm * Double(n)) }
        }
        let step = options.learningRate / (1.05 * eigenvalue / 4 + options.l2)

        let positives = y.reduce(0, +)
        let baseRate = log(max(positives, 0.5) / max(Double(n) - positives, 0.5))
        var w = [Double](repeating: 0, count: d), b = baseRate
        var previousW = w, previousB = b
        for iteration in 0..<max(0, options.iterations) {
            // Accelerated step from the extrapolated point y = x + (k − 1)/(k + 2) (x − x_prev).
            let momentum = Double(iteration) / Double(iteration + 3)
            let aheadW = (0..<d).map { w[$0] + momentum * (w[$0] - previousW[$0]) }
            let aheadB = b + momentum * (b - previousB)
            let (gw, gb) = gradient(aheadW, aheadB)
            previousW = w
            previousB = b
            var norm = gb * gb
            for j in 0..<d {
                w[j] = aheadW[j] - step * gw[j]
                norm += gw[j] * gw[j]
            }
            b = aheadB - step * gb
            if norm.squareRoot() < options.tolerance { break }
        }
        return LogisticRegression(means: means, standardDeviations: stds, weights: w, bias: b)
    }

    /// `P(label = true | features)`.
    public func probability(_ features: [Double]) -> Double {
        precondition(features.count == weights.count, "expected \(weights.count) features, got \(features.count)")
        var logit = bias
        for j in weights.indices { logit += weights[j] * (features[j] - means[j]) / standardDeviations[j] }
        return Self.sigmoid(logit)
    }

    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
