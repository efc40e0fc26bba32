#if OpenBLAS
import COpenBLAS

/// Dense layers through OpenBLAS (package trait `OpenBLAS`).
enum BLASKernels {
    static let isAvailable = true

    /// Limits OpenBLAS to one thread: its pool busy-waits and doubles CPU for no gain on the
    /// small matrices of a sentence encoder, and a server parallelises across requests anyway.
    static let configureOnce: Void = { openblas_set_num_threads(1) }()

    /// The kernel family OpenBLAS picked for this CPU, e.g. `SkylakeX`, `Haswell`; `Prescott`
    /// means it did not recognise the CPU (common on VMs with a generic CPU model) and runs a
    /// slow SSE3 kernel: start the process with `OPENBLAS_CORETYPE=SkylakeX` (or `Haswell`).
    static var coreName: String? {
        guard let name = openblas_get_corename() else { return nil }
        return String(cString: name)
    }

    /// `Y[m×n] += X[m×k] · W[k×n]`, row-major.
    static func multiplyAccumulate(x: UnsafePointer<Float>, rows m: Int, inner k: Int, weights w: UnsafePointer<Float>, columns n: Int, into y: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, x, Int32(k), w, Int32(n), 1, y, Int32(n))
    }
}
#else
/// Placeholder when the package is built without the `OpenBLAS` trait.
enum BLASKernels {
    static let isAvailable = false
    static let configureOnce: Void = ()
    static var coreName: String? { nil }

    static func multiplyAccumulate(x: UnsafePointer<Float>, rows m: Int, inner k: Int, weights w: UnsafePointer<Float>, columns n: Int, into y: UnsafeMutablePointer<Float>) {
        DenseKernels.multiplyAccumulate(x: x, rows: m, inner: k, weights: w, columns: n, into: y)
    }
}
#endif
