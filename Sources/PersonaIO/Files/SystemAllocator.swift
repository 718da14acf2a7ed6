#if canImport(Glibc)
import Glibc
#endif

/// The C allocator's controls a long batch job wants, on glibc (whose Swift module does not
/// export them); nothing elsewhere.
///
/// A job that streams a file allocates and frees the same few hundred kilobytes per batch, on
/// several threads. By default glibc hands each such buffer to the kernel with its own mapping
/// and takes a fresh, zeroed one for the next batch, and trims the heap as soon as its top is
/// free: a page fault per page of every batch. ``keepBuffersForReuse()`` keeps buffers of up to
/// 32 MB in the heap and trims only above 256 MB; ``releaseFreedMemory()`` gives freed memory
/// back at the points where a job has just let go of a large part of what it held.
public enum SystemAllocator {
    /// Keeps freed buffers of up to 32 MB for reuse (process-wide; call once at start).
    public static func keepBuffersForReuse() {
        #if canImport(Glibc)
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Option.self)
        _ = mallopt(-3, 32 << 20)    // M_MMAP_THRESHOLD
        _ = mallopt(-1, 256 << 20)   // M_TRIM_THRESHOLD
        #endif
    }

    /// Gives the memory freed so far back to the system, from every thread's arena.
    public static func releaseFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }
}
