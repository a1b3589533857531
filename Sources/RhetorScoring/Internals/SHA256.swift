import _RhetorKernels

/// SHA-256 (FIPS 180-4), used to pin the exact lexicon files a model was trained with.
///
/// A small local implementation so the package does not pull in a cryptography library for one
/// checksum; checked against the FIPS 180-4 test vectors in the tests. The block compression is
/// `SHA256Blocks` (the x86 SHA extensions, with a scalar twin).
public enum SHA256 {
    /// The digest of `bytes` as 32 bytes.
    ///
    /// Whole 64-byte blocks are compressed straight from the input; only the last one or two
    /// blocks (the tail, the 0x80 marker and the bit length) are copied into a padded buffer.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        let bitLength = UInt64(bytes.count) &* 8
        let whole = bytes.count / 64 * 64
        var tail = [UInt8](bytes[whole...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for s in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
        bytes.withUnsafeBufferPointer { p in
            if whole > 0 { SHA256Blocks.compress(&h, p.baseAddress!, blocks: whole / 64) }
        }
        tail.withUnsafeBufferPointer { p in SHA256Blocks.compress(&h, p.baseAddress!, blocks: p.count / 64) }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for v in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
        }
        return out
    }

    /// The digest of `bytes` as 64 lower-case hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        let d = digest(bytes)
        return String(unsafeUninitializedCapacity: 64) { out in
            for (i, b) in d.enumerated() {
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 15)]
            }
            return 64
        }
    }
}
