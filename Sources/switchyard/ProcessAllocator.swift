#if Mimalloc
import CMimalloc
#endif

/// The memory allocator this build of `switchyard` runs on, for `--version` and the benchmark
/// records.
///
/// Built with the package trait `Mimalloc`, the executable links mimalloc, which then serves
/// every malloc and free of the process. The gateway allocates on its event loop what the ledger
/// writer frees on its own thread; glibc's malloc then keeps refilling the loop's per-thread cache
/// from the shared arena (a tenth of the loop's time in the profile), mimalloc's per-page free
/// lists do not.
enum ProcessAllocator {
    static var description: String {
        #if Mimalloc
        let version = Int(mi_version())
        return "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        #else
        return "the C library's malloc"
        #endif
    }
}
