import CRhetorSIMD

/// Software prefetch: a hint that memory will be read soon, so a random load that would miss the
/// caches is in flight early. No effect on results.
public enum Prefetch {
    /// Asks for the cache line at `address` (`prefetcht0` on x86-64); never faults.
    @inlinable @inline(__always)
    public static func read(_ address: UnsafeRawPointer) {
        rhetor_prefetch(address)
    }
}
