import CRhetorSIMD

/// The word-byte classes of 16 bytes, for the tokenizer's plain-word path: bit k of each mask is
/// byte k. `lo` and `hi` are the bytes with `A`...`Z` lower-cased, little-endian.
public struct WordBlock: Sendable, Equatable {
    /// ASCII letters and digits: the bytes a plain word is made of.
    public var word: UInt32
    /// `A`...`Z`.
    public var upper: UInt32
    /// `0`...`9`.
    public var digit: UInt32
    /// `.` and `,` (they join digits into one number).
    public var separator: UInt32
    /// `-` (it joins the parts of a hyphenated word).
    public var hyphen: UInt32
    public var lo: UInt64
    public var hi: UInt64

    @inlinable
    public init(word: UInt32, upper: UInt32, digit: UInt32, separator: UInt32 = 0, hyphen: UInt32 = 0, lo: UInt64, hi: UInt64) {
        self.word = word
        self.upper = upper
        self.digit = digit
        self.separator = separator
        self.hyphen = hyphen
        self.lo = lo
        self.hi = hi
    }

    /// The block of the bytes `d` (1...15) further on: masks and bytes shifted down, with zero
    /// (a byte in no class) shifted in at the top.
    @inlinable @inline(__always)
    public func dropping(_ d: Int) -> WordBlock {
        let s = UInt64(truncatingIfNeeded: d)
        let lo: UInt64, hi: UInt64
        if s >= 8 {
            lo = self.hi &>> (8 &* (s &- 8))
            hi = 0
        } else {
            lo = (self.lo &>> (8 &* s)) | (self.hi &<< (64 &- 8 &* s))
            hi = self.hi &>> (8 &* s)
        }
        let k = UInt32(d)
        return WordBlock(word: word &>> k, upper: upper &>> k, digit: digit &>> k, separator: separator &>> k, hyphen: hyphen &>> k, lo: lo, hi: hi)
    }
}

/// The 16-byte word classifier: an SSE2 kernel (`rhetor_word_block16` in CRhetorSIMD: byte
/// compares and `movemask`) and a plain per-byte scalar twin that must agree on every input.
///
/// `RHETOR_SCALAR_KERNELS=1` (`ByteScan.forceScalar`) makes callers pass `scalar: true`.
public enum WordBytes {
    /// The classes of the 16 bytes at `p` (all readable).
    @inlinable @inline(__always)
    public static func block(_ p: UnsafePointer<UInt8>, scalar: Bool) -> WordBlock {
        scalar ? blockScalar(p) : blockSIMD(p)
    }

    /// True when `blockSIMD` is SSE2 code on this build (x86-64), not the scalar twin.
    public static var usesSSE2: Bool {
        #if arch(x86_64)
        true
        #else
        false
        #endif
    }

    /// SSE2 on x86-64 (every x86-64 CPU has it); elsewhere the scalar twin.
    @inlinable @inline(__always)
    public static func blockSIMD(_ p: UnsafePointer<UInt8>) -> WordBlock {
        #if arch(x86_64)
        let b = rhetor_word_block16(p)
        return WordBlock(word: b.word, upper: b.upper, digit: b.digit, separator: b.separator, hyphen: b.hyphen, lo: b.lo, hi: b.hi)
        #else
        blockScalar(p)
        #endif
    }

    /// The scalar twin of `blockSIMD`: one byte at a time.
    @inlinable
    public static func blockScalar(_ p: UnsafePointer<UInt8>) -> WordBlock {
        var b = WordBlock(word: 0, upper: 0, digit: 0, lo: 0, hi: 0)
        for k in 0..<16 {
            let c = p[k]
            var l = c
            switch c {
            case 0x41...0x5A:
                b.word |= 1 << UInt32(k)
                b.upper |= 1 << UInt32(k)
                l = c | 0x20
            case 0x61...0x7A:
                b.word |= 1 << UInt32(k)
            case 0x30...0x39:
                b.word |= 1 << UInt32(k)
                b.digit |= 1 << UInt32(k)
            case 0x2C, 0x2E:
                b.separator |= 1 << UInt32(k)
            case 0x2D:
                b.hyphen |= 1 << UInt32(k)
            default:
                break
            }
            if k < 8 { b.lo |= UInt64(l) << UInt64(8 * k) } else { b.hi |= UInt64(l) << UInt64(8 * (k - 8)) }
        }
        return b
    }
}
