/// The hash functions that key lexicon entries and model features, specified byte by byte.
///
/// The specification (also in `models/README.md`, with test vectors):
///
///     fnv1a64(bytes):  h = 0xcbf29ce484222325; for b in bytes { h = (h ^ b) * 0x100000001b3 mod 2^64 }
///     fmix64(k):       k ^= k >> 33; k *= 0xff51afd7ed558ccd; k ^= k >> 33;
///                      k *= 0xc4ceb9fe1a85ec53; k ^= k >> 33            (MurmurHash3's finalizer)
///     term(bytes)    = fmix64(fnv1a64(bytes))        bytes are the token's normalized UTF-8
///     pairKey(a, b)   = (a * 0x9e3779b97f4a7c15 mod 2^64) ^ b           adjacent tokens (bigrams)
///     combine(a, b)   = fmix64(pairKey(a, b))                           phrase of terms, left to right
///     bucket(x, bits) = (x * 0xff51afd7ed558ccd mod 2^64) >> (64 - bits)   x = item ^ term(ns) ^ seed
///     ngramKey(bytes)  = sum(bytes[i] << 8i) | count << 56      at most 7 bytes (character n-grams)
///
/// Bytes are unsigned (no sign extension, unlike fastText's quirk).
public enum TermHash {
    /// FNV-1a 64-bit offset basis.
    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    /// FNV-1a 64-bit prime.
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

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

    /// One FNV-1a step.
    @inlinable
    public static func step(_ h: UInt64, _ byte: UInt8) -> UInt64 {
        (h ^ UInt64(byte)) &* fnvPrime
    }

    /// The term hash of a byte sequence (already normalized).
    @inlinable
    public static func term<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
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
