#if canImport(Glibc)
import Glibc
#endif

/// A Linux PM QoS CPU-latency request (`/dev/cpu_dma_latency`), held for as long as this value
/// lives: the kernel keeps idle CPUs out of sleep states slower to wake than the limit. With `0`
/// they poll instead of sleeping.
///
/// Why a gateway asks for it: on a virtual machine whose idle CPUs halt (Linux's `haltpoll` idle
/// driver with no polling, as on the benchmark machine), every wake-up of an idle CPU leaves the
/// guest for the hypervisor. A proxied request wakes an idle CPU up to four times (gateway, upstream,
/// gateway, client), so at low load these exits, not the gateway's work, are most of the latency it
/// adds. Holding `0` removes them, at the price of idle CPUs that spin: the machine (and, on a VM,
/// its host CPUs) stays busy while the gateway waits for traffic. HAProxy's `busy-polling` makes the
/// same trade. The request covers the whole machine and ends when the descriptor closes, so it
/// also ends with the process, however it exits.
public final class CPULatencyRequest: Sendable {
    /// The kernel's interface.
    public static let devicePath = "/dev/cpu_dma_latency"

    /// Why a request could not be made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot hold a CPU latency limit through \(path): \(reason)" }
    }

    /// The limit asked for, in microseconds.
    public let microseconds: Int
    private let descriptor: Int32

    /// Makes the request: opens `path` and writes the limit as the 32-bit integer the kernel reads.
    ///
    /// - Parameter path: ``devicePath``; tests pass a file of their own.
    public init(microseconds: Int, path: String = CPULatencyRequest.devicePath) throws(Failure) {
        #if os(Linux)
        guard let value = Int32(exactly: microseconds), value >= 0 else {
            throw Failure(path: path, reason: "\(microseconds) µs is outside 0...\(Int32.max)")
        }
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let hint = code == EACCES || code == EPERM ? " (it takes root, or write access to the device)" : ""
            throw Failure(path: path, reason: String(cString: strerror(code)) + hint)
        }
        var limit = value
        let written = withUnsafeBytes(of: &limit) { write(descriptor, $0.baseAddress, $0.count) }
        guard written == MemoryLayout<Int32>.size else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
            close(descriptor)
            throw Failure(path: path, reason: reason)
        }
        self.microseconds = microseconds
        self.descriptor = descriptor
        #else
        throw Failure(path: path, reason: "PM QoS requests exist only on Linux")
        #endif
    }

    deinit {
        #if os(Linux)
        close(descriptor)
        #endif
    }

    /// The limit the kernel enforces now (the strictest request of all processes), read from
    /// `path`; `nil` if it cannot be read.
    public static func current(path: String = CPULatencyRequest.devicePath) -> Int? {
        #if os(Linux)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var value: Int32 = 0
        let count = withUnsafeMutableBytes(of: &value) { read(descriptor, $0.baseAddress, $0.count) }
        return count == MemoryLayout<Int32>.size ? Int(value) : nil
        #else
        return nil
        #endif
    }
}
