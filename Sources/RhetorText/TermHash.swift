/// The hash functions that key lexicon entries and model features, specified byte by byte.
///
/// The specification (also in `models/README.md`, with test vectors):
///
///     mum(a, b)       = (a * b mod 2^128), its high 64 bits XOR its low 64 bits   (wyhash's mix)
///     term(bytes):      h = 0
///                       for each 8-byte chunk c (little-endian; the last zero-padded):
///                           h = mum(h ^ c ^ 0xa0761d6478bd642f, 0xe7037ed1a0b428db)
///                       term = mum(h ^ 0xe7037ed1a0b428db, count ^ 0xa0761d6478bd642f)
///                     bytes are the token's normalized UTF-8; count is their number
///     pairKey(a, b)   = (a * 0x9e3779b97f4a7c15 mod 2^64) ^ b           adjacent tokens (bigrams)
///     combine(a, b)   = fmix64(pairKey(a, b))                           phrase of terms, left to right
///     bucket(x, bits) = (x * 0xff51afd7ed558ccd mod 2^64) >> (64 - bits)   x = item ^ term(ns) ^ seed
///     ngramKey(bytes)  = sum(bytes[i] << 8i) | count << 56      at most 7 bytes (character n-grams)
///     fmix64(k):       k ^= k >> 33; k *= 0xff51afd7ed558ccd; k ^= k >> 33;
///                      k *= 0xc4ceb9fe1a85ec53; k ^= k >> 33            (MurmurHash3's finalizer)
///
/// `term` reads a word eight bytes at a time, so the tokenizer hashes most words with two
/// multiplies straight from the register it classified them in (model format 4; formats 1-3
/// took FNV-1a per byte, which `splitHash` keeps for the train/dev split). The two constants are
/// wyhash's first two primes (Wang Yi, public domain). Bytes are unsigned.
public enum TermHash {
    /// FNV-1a 64-bit offset basis.
    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    /// FNV-1a 64-bit prime.
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
    /// `term`'s two constants: wyhash's `_wyp[0]` and `_wyp[1]`.
    public static let mixA: UInt64 = 0xa076_1d64_78bd_642f
    public static let mixB: UInt64 = 0xe703_7ed1_a0b4_28db

    /// MurmurHash3's 64-bit finalizer: spreads every input bit over every output bit.
    @inlinable
    public static func fmix64(_ key: UInt64) -> UInt64 {
        var k = key
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// wyhash's mix: the 128-bit product's two halves XOR-ed (one `mul` on x86-64). Every output
    /// bit depends on every input bit through the high half.
    @inlinable @inline(__always)
    public static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = a.multipliedFullWidth(by: b)
        return p.high ^ p.low
    }

    /// `term`'s step over one 8-byte chunk (little-endian, zero-padded).
    @inlinable @inline(__always)
    public static func absorb(_ h: UInt64, chunk: UInt64) -> UInt64 {
        mum(h ^ chunk ^ mixA, mixB)
    }

    /// `term`'s last step: the chunks' state and the byte count.
    @inlinable @inline(__always)
    public static func finish(_ h: UInt64, count: Int) -> UInt64 {
        mum(h ^ mixB, UInt64(truncatingIfNeeded: count) ^ mixA)
    }

    /// The term hash of a byte sequence (already normalized).
    @inlinable
    public static func term<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hasher = TermHasher()
        for b in bytes { hasher.append(b) }
        return hasher.finish()
    }

    /// One FNV-1a step.
    @inlinable
    public static func step(_ h: UInt64, _ byte: UInt8) -> UInt64 {
        (h ^ UInt64(byte)) &* fnvPrime
    }

    /// `fmix64(FNV-1a-64(bytes))`: the term hash of model formats 1-3, kept as the hash of the
    /// train/dev split (`DataSplit`, mirrored by `scripts/derive_lexicons.py`) so the split
    /// stays the one the lexicons were derived on.
    @inlinable
    public static func splitHash<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h = fnvOffset
        for b in bytes { h = step(h, b) }
        return fmix64(h)
    }

    /// The term hash of a string's UTF-8 bytes after `Normalizer.normalize`.
    public static func term(_ string: String) -> UInt64 {
        term(Normalizer.normalize(Array(string.utf8)))
    }

    /// Extends a phrase hash by one more term: the pair's key, mixed.
    @inlinable
    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        fmix64(pairKey(a, b))
    }

    /// The hash of a phrase of already-hashed terms.
    @inlinable
    public static func phrase<C: Sequence>(_ terms: C) -> UInt64 where C.Element == UInt64 {
        var it = terms.makeIterator()
        guard var h = it.next() else { return term([UInt8]()) }
        while let t = it.next() { h = combine(h, t) }
        return h
    }

    /// The key of a short byte window (a character n-gram): its bytes packed little-endian, the
    /// length in the top byte. Windows of up to 7 bytes have distinct keys.
    @inlinable
    public static func ngramKey<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        precondition(bytes.count <= 7, "n-gram keys hold at most 7 bytes")
        var key: UInt64 = 0
        for (i, b) in bytes.enumerated() { key |= UInt64(b) &<< UInt64(8 * i) }
        return key | UInt64(bytes.count) &<< 56
    }

    /// The feature bucket of a hashed item `x` already keyed by its namespace and seed
    /// (`x XOR term(ns) XOR seed`): the top `bits` bits of `x` times an odd 64-bit constant
    /// (multiply-shift, Dietzfelbinger et al. 1997; the constant is fmix64's first multiplier).
    /// One multiply where `fmix64` took two and five shifts/XORs; the n-gram keys going in are
    /// not mixed, but every input bit reaches the product's top bits. `bits` is 1...63.
    @inlinable
    public static func bucket(_ x: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: (x &* 0xff51_afd7_ed55_8ccd) &>> UInt64(64 &- bits))
    }

    /// The key of an adjacent pair of term hashes, for `bucket`: `a * 0x9e3779b97f4a7c15 XOR b`
    /// (order matters: `a b` and `b a` differ).
    @inlinable
    public static func pairKey(_ a: UInt64, _ b: UInt64) -> UInt64 {
        (a &* 0x9e37_79b9_7f4a_7c15) ^ b
    }
}

/// `TermHash.term` a byte at a time, for callers that normalize as they go (the tokenizer's
/// general word rules): bytes collect into 8-byte chunks, each absorbed when full.
public struct TermHasher {
    @usableFromInline var h: UInt64 = 0
    @usableFromInline var chunk: UInt64 = 0
    @usableFromInline var count = 0

    @inlinable public init() {}

    /// Adds the next byte.
    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        chunk |= UInt64(byte) &<< UInt64(8 &* (count & 7))
        count &+= 1
        if count & 7 == 0 {
            h = TermHash.absorb(h, chunk: chunk)
            chunk = 0
        }
    }

    /// The term hash of the bytes appended.
    @inlinable
    public func finish() -> UInt64 {
        TermHash.finish(count & 7 == 0 ? h : TermHash.absorb(h, chunk: chunk), count: count)
    }
}

/// Normalizes token bytes for lookup: ASCII lower-casing and curly apostrophes to `'`.
public enum Normalizer {
    /// Returns the normalized bytes: `A`-`Z` lower-cased, U+2018/U+2019 replaced by `'`; all else kept.
    public static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0x98 || bytes[i + 2] == 0x99 {
                out.append(0x27)
                i += 3
                continue
            }
            out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            i += 1
        }
        return out
    }
}
