/// Byte scans with a SIMD path and a plain scalar twin that must agree on every input.
///
/// `RHETOR_SCALAR_KERNELS=1` in the environment forces the scalar twins everywhere (read once, at
/// first use), for debugging and for comparing speeds. A dispatcher's `scalar` argument defaults
/// to that switch; a caller in a loop reads `forceScalar` once and passes it, since every read of
/// the global goes through its lazy initializer's check.
public enum ByteScan {
    /// True when the environment asks for the scalar twins.
    public static let forceScalar: Bool = {
        guard let v = getenv("RHETOR_SCALAR_KERNELS") else { return false }
        return String(cString: v) == "1"
    }()

    // MARK: - firstIndex(of:)

    /// The first index `>= from` where `bytes[i] == byte`, or `bytes.count`.
    ///
    ///     i = from
    ///     while i + 16 <= n:                      # SIMD16: 16 compares, one test
    ///         m = load16(i) .== byte
    ///         if anyLane(m): return i + firstLane(m)  # the mask's first 0xFF byte
    ///         i += 16
    ///     return scalar scan from i               # the tail
    ///
    /// PERF NOTES: SIMD16<UInt8> `.==` and `any` lower to pcmpeqb + pmovmskb on baseline x86-64
    /// (../shared/PERFORMANCE.md: SIMD32/64 operators go lane by lane in Swift 6.3, so 16 it is).
    @inlinable
    public static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        forceScalar ? firstIndexScalar(of: byte, in: bytes, from: from) : firstIndexSIMD(of: byte, in: bytes, from: from)
    }

    @inlinable
    public static func firstIndexSIMD(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        let needle = SIMD16<UInt8>(repeating: byte)
        return firstMatchSIMD(in: bytes, from: from, block: { $0 .== needle }, byte: { $0 == byte })
    }

    /// The scalar twin of `firstIndexSIMD`.
    @inlinable
    public static func firstIndexScalar(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        firstMatchScalar(in: bytes, from: from) { $0 == byte }
    }

    // MARK: - The skeleton of the "first byte of a class" kernels

    /// The first index `>= from` whose byte satisfies `byte`, testing 16-byte blocks with
    /// `block` (the same test on all lanes at once) and locating the first hit in a block from
    /// its lane mask; `bytes.count` when there is none. Inlined into each kernel, so `block`
    /// compiles to that kernel's own vector compares.
    @inlinable @inline(__always)
    static func firstMatchSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int, block: (SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>>, byte: (UInt8) -> Bool) -> Int {
        let n = bytes.count
        guard let base = bytes.baseAddress, from < n else { return n }
        var i = max(0, from)
        let raw = UnsafeRawPointer(base)
        while i + 16 <= n {
            let hits = block(raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self))
            if anyLane(hits) { return i + firstLane(hits) }
            i += 16
        }
        while i < n {
            if byte(base[i]) { return i }
            i += 1
        }
        return n
    }

    /// True when some lane of the mask is set: the mask's bytes read as two words, OR-ed.
    /// PERF NOTES: `any(_:)` on a 16-lane mask lowers on SSE2 to a horizontal max-reduction tree
    /// (~30 instructions per block, measured in the disassembly); this is ~4.
    @inlinable @inline(__always)
    static func anyLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        let words = maskWords(mask)
        return words[0] | words[1] != 0
    }

    /// A 16-lane mask's bytes (0 or 0xFF each) as two 64-bit words: bitcasts that stay in
    /// vector registers.
    @inlinable @inline(__always)
    static func maskWords(_ mask: SIMDMask<SIMD16<Int8>>) -> SIMD2<UInt64> {
        unsafeBitCast(unsafeBitCast(mask, to: SIMD16<Int8>.self), to: SIMD2<UInt64>.self)
    }

    /// The first true lane of a mask with at least one: the mask as bytes (0 or 0xFF, a
    /// bitcast that stays in vector registers), read as two little-endian words, and the first
    /// set bit's byte. PERF NOTES: Swift has no movemask; rescanning the block byte by byte
    /// after a hit cost ~40 instructions, this ~8.
    @inlinable @inline(__always)
    static func firstLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int {
        let words = maskWords(mask)
        let lo = UInt64(littleEndian: words[0])
        if lo != 0 { return lo.trailingZeroBitCount &>> 3 }
        return 8 &+ (UInt64(littleEndian: words[1]).trailingZeroBitCount &>> 3)
    }

    /// The plain byte loop every scalar twin is.
    @inlinable @inline(__always)
    static func firstMatchScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int, byte: (UInt8) -> Bool) -> Int {
        var i = max(0, from)
        while i < bytes.count {
            if byte(bytes[i]) { return i }
            i += 1
        }
        return bytes.count
    }

    // MARK: - asciiPrefix

    /// The length of the longest prefix of `bytes` (from `from`) that is pure ASCII (< 0x80).
    ///
    ///     i = from
    ///     while i + 16 <= n:
    ///         m = load16(i) .>= 0x80              # compare as unsigned bytes
    ///         if anyLane(m): return i + firstLane(m) - from
    ///         i += 16
    ///     scalar scan from i
    @inlinable
    public static func asciiPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        forceScalar ? asciiPrefixScalar(bytes, from: from) : asciiPrefixSIMD(bytes, from: from)
    }

    @inlinable
    public static func asciiPrefixSIMD(_ bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        let limit = SIMD16<UInt8>(repeating: 0x80)
        let start = min(max(0, from), bytes.count)
        return firstMatchSIMD(in: bytes, from: from, block: { $0 .>= limit }, byte: { $0 >= 0x80 }) - start
    }

    /// The scalar twin of `asciiPrefixSIMD`.
    @inlinable
    public static func asciiPrefixScalar(_ bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        let start = min(max(0, from), bytes.count)
        var i = start
        while i < bytes.count, bytes[i] < 0x80 { i += 1 }
        return i - start
    }

    // MARK: - jsonStringStop

    /// The first index `>= from` holding a byte that stops a run of plain JSON string content:
    /// `"` (0x22), `\` (0x5C) or a control byte (< 0x20); `bytes.count` when there is none.
    ///
    ///     i = from
    ///     while i + 16 <= n:
    ///         v = load16(i)
    ///         m = (v .== 0x22) .| (v .== 0x5C) .| (v .< 0x20)
    ///         if anyLane(m): return i + firstLane(m)
    ///         i += 16
    ///     scalar scan from i
    @inlinable
    public static func jsonStringStop(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0, scalar: Bool = forceScalar) -> Int {
        scalar ? jsonStringStopScalar(in: bytes, from: from) : jsonStringStopSIMD(in: bytes, from: from)
    }

    @inlinable
    public static func jsonStringStopSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        firstMatchSIMD(in: bytes, from: from, block: jsonStringStopLanes, byte: isJSONStringStop)
    }

    /// `isJSONStringStop` on the 16 lanes of a block at once (both JSON string kernels' test).
    @inlinable @inline(__always)
    static func jsonStringStopLanes(_ v: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>> {
        (v .== SIMD16(repeating: 0x22)) .| (v .== SIMD16(repeating: 0x5C)) .| (v .< SIMD16(repeating: 0x20))
    }

    /// The scalar twin of `jsonStringStopSIMD`.
    @inlinable
    public static func jsonStringStopScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        firstMatchScalar(in: bytes, from: from, byte: isJSONStringStop)
    }

    @inlinable @inline(__always)
    static func isJSONStringStop(_ b: UInt8) -> Bool { b == 0x22 || b == 0x5C || b < 0x20 }

    /// Copies `bytes[from..<stop]` to `out`, where `stop` is `jsonStringStop(in: bytes, from:)`,
    /// and returns `stop`: one pass that finds the run's end and copies it, in place of a scan
    /// and a `memmove` call per run (JSON text breaks a run at every `\n` escape). `out` needs
    /// room for `bytes.count - from` bytes: the SIMD kernel stores whole 16-byte blocks, which
    /// may pass the run's end (those bytes are scratch) but never the input's.
    ///
    ///     i = from
    ///     while i + 16 <= n:
    ///         v = load16(i); store16(out + i - from, v)
    ///         m = (v .== 0x22) .| (v .== 0x5C) .| (v .< 0x20)
    ///         if anyLane(m): return i + firstLane(m)
    ///         i += 16
    ///     scalar copy from i up to the stop
    @inlinable
    public static func copyJSONStringRun(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to out: UnsafeMutablePointer<UInt8>,
                                         scalar: Bool = forceScalar) -> Int {
        scalar ? copyJSONStringRunScalar(in: bytes, from: from, to: out) : copyJSONStringRunSIMD(in: bytes, from: from, to: out)
    }

    @inlinable
    public static func copyJSONStringRunSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = bytes.count
        guard let base = bytes.baseAddress, from < n else { return n }
        var i = max(0, from)
        let raw = UnsafeRawPointer(base)
        let rawOut = UnsafeMutableRawPointer(out) - i
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            rawOut.storeBytes(of: v, toByteOffset: i, as: SIMD16<UInt8>.self)
            let hits = jsonStringStopLanes(v)
            if anyLane(hits) { return i + firstLane(hits) }
            i += 16
        }
        while i < n {
            let b = base[i]
            if isJSONStringStop(b) { return i }
            rawOut.storeBytes(of: b, toByteOffset: i, as: UInt8.self)
            i += 1
        }
        return n
    }

    /// The scalar twin of `copyJSONStringRunSIMD` (it writes the run's bytes only).
    @inlinable
    public static func copyJSONStringRunScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = bytes.count
        var i = max(0, from)
        var o = out
        while i < n {
            let b = bytes[i]
            if isJSONStringStop(b) { return i }
            o.pointee = b
            o += 1
            i += 1
        }
        return n
    }

    // MARK: - quoteMarkCandidate

    /// The first index `>= from` holding a byte that may start a quote mark: `"` (0x22), `'`
    /// (0x27), 0xC2 (the lead byte of « and ») or 0xE2 (the lead byte of the curly and low-9
    /// marks); `bytes.count` when there is none. Articles without one cannot hold a quote.
    ///
    ///     i = from
    ///     while i + 16 <= n:
    ///         v = load16(i)
    ///         m = (v .== 0x22) .| (v .== 0x27) .| (v .== 0xC2) .| (v .== 0xE2)
    ///         if anyLane(m): return i + firstLane(m)
    ///         i += 16
    ///     scalar scan from i
    @inlinable
    public static func quoteMarkCandidate(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        forceScalar ? quoteMarkCandidateScalar(in: bytes, from: from) : quoteMarkCandidateSIMD(in: bytes, from: from)
    }

    @inlinable
    public static func quoteMarkCandidateSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        let dq = SIMD16<UInt8>(repeating: 0x22), sq = SIMD16<UInt8>(repeating: 0x27)
        let c2 = SIMD16<UInt8>(repeating: 0xC2), e2 = SIMD16<UInt8>(repeating: 0xE2)
        return firstMatchSIMD(in: bytes, from: from, block: { v in (v .== dq) .| (v .== sq) .| (v .== c2) .| (v .== e2) },
                              byte: isQuoteMarkCandidate)
    }

    /// The scalar twin of `quoteMarkCandidateSIMD`.
    @inlinable
    public static func quoteMarkCandidateScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        firstMatchScalar(in: bytes, from: from, byte: isQuoteMarkCandidate)
    }

    @inlinable @inline(__always)
    static func isQuoteMarkCandidate(_ b: UInt8) -> Bool { b == 0x22 || b == 0x27 || b == 0xC2 || b == 0xE2 }

    // MARK: - quoteRunEnd

    /// The first index `>= from` holding a byte the quote scanner acts on: a line feed (0x0A),
    /// `"` (0x22), `'` (0x27) or any non-ASCII byte (>= 0x80, where the curly, low-9 and
    /// guillemet marks live); `bytes.count` when there is none. The scanner skips the runs
    /// between them without looking at each character.
    ///
    ///     i = from
    ///     while i + 16 <= n:
    ///         v = load16(i)
    ///         m = (v .== 0x0A) .| (v .== 0x22) .| (v .== 0x27) .| (v .>= 0x80)
    ///         if anyLane(m): return i + firstLane(m)
    ///         i += 16
    ///     scalar scan from i
    @inlinable
    public static func quoteRunEnd(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0, scalar: Bool = forceScalar) -> Int {
        scalar ? quoteRunEndScalar(in: bytes, from: from) : quoteRunEndSIMD(in: bytes, from: from)
    }

    @inlinable
    public static func quoteRunEndSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        let lf = SIMD16<UInt8>(repeating: 0x0A), dq = SIMD16<UInt8>(repeating: 0x22)
        let sq = SIMD16<UInt8>(repeating: 0x27), high = SIMD16<UInt8>(repeating: 0x80)
        return firstMatchSIMD(in: bytes, from: from, block: { v in (v .== lf) .| (v .== dq) .| (v .== sq) .| (v .>= high) },
                              byte: isQuoteRunEnd)
    }

    /// The scalar twin of `quoteRunEndSIMD`.
    @inlinable
    public static func quoteRunEndScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int {
        firstMatchScalar(in: bytes, from: from, byte: isQuoteRunEnd)
    }

    @inlinable @inline(__always)
    static func isQuoteRunEnd(_ b: UInt8) -> Bool { b == 0x0A || b == 0x22 || b == 0x27 || b >= 0x80 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
