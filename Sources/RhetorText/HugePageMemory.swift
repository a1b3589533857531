#if canImport(Glibc)
import Glibc
#endif

/// Raw memory for large tables read at random (the hashed weights, a word cache), placed so
/// Linux may back it with 2 MiB pages.
///
/// Why: each statement reads ~50 random buckets of a 768 KB weight table and probes a
/// 2 MB word cache. In 4 KiB pages those span ~770 pages, more than the first-level TLB holds,
/// and on a virtual machine every TLB miss is a two-dimensional page walk. With transparent huge
/// pages in `madvise` mode (Debian's default) a 2 MiB-aligned region marked `MADV_HUGEPAGE` is one
/// TLB entry. Elsewhere (other systems, THP off) this is plain aligned memory.
public enum HugePageMemory {
    /// The huge page size on x86-64 and arm64 Linux with 4 KiB base pages.
    public static let pageBytes = 2 << 20

    /// Uninitialized memory for `byteCount` bytes, aligned to 64 bytes at least: for `byteCount`
    /// of 256 KiB or more, aligned to 2 MiB and rounded up to whole huge pages, with the kernel
    /// asked to back it with them. Free it with `deallocate`.
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= 256 << 10 else {
            return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        }
        #if os(Linux)
        let rounded = (byteCount + pageBytes - 1) / pageBytes * pageBytes
        var p: UnsafeMutableRawPointer?
        guard posix_memalign(&p, pageBytes, rounded) == 0, let p else {
            fatalError("out of memory: \(rounded) bytes for a lookup table")
        }
        // Advice only: without THP the memory is simply in small pages.
        _ = madvise(p, rounded, MADV_HUGEPAGE)
        return p
        #else
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        #endif
    }

    /// Frees memory from `allocate(byteCount:)` (given the same `byteCount`).
    public static func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        if byteCount >= 256 << 10 { free(p); return }
        #endif
        p.deallocate()
    }
}
