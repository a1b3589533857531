import CRhetorSIMD

/// SHA-256 block compression (FIPS 180-4, section 6.2.2): the x86 SHA extensions where the CPU
/// has them (`rhetor_sha256_blocks_ni` in CRhetorSIMD, ~4 instructions a byte) and a plain
/// scalar twin (~68 a byte) that must agree on every input. `RHETOR_SCALAR_KERNELS=1`
/// (`ByteScan.forceScalar`) forces the twin. `SHA256` in RhetorScoring pads and finishes.
public enum SHA256Blocks {
    /// FIPS 180-4's round constants.
    public static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// True when this CPU runs the SHA-extensions kernel (checked once).
    public static let hasSHAExtensions: Bool = {
        #if arch(x86_64)
        rhetor_sha256_ni_available() != 0
        #else
        false
        #endif
    }()

    /// Compresses `blocks` 64-byte blocks from `data` into `state` (H0...H7).
    public static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                                _ data: UnsafePointer<UInt8>, blocks: Int) {
        if hasSHAExtensions, !ByteScan.forceScalar {
            compressSHAExtensions(&state, data, blocks: blocks)
        } else {
            compressScalar(&state, data, blocks: blocks)
        }
    }

    /// The SHA-extensions kernel; only when `hasSHAExtensions`.
    public static func compressSHAExtensions(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                                             _ data: UnsafePointer<UInt8>, blocks: Int) {
        #if arch(x86_64)
        precondition(hasSHAExtensions, "this CPU has no SHA extensions")
        withUnsafeMutableBytes(of: &state) { raw in
            k.withUnsafeBufferPointer { k in
                rhetor_sha256_blocks_ni(raw.baseAddress!.assumingMemoryBound(to: UInt32.self), data, blocks, k.baseAddress!)
            }
        }
        #else
        compressScalar(&state, data, blocks: blocks)
        #endif
    }

    /// The scalar twin: one round at a time.
    public static func compressScalar(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                                      _ data: UnsafePointer<UInt8>, blocks: Int) {
        k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for b in 0..<blocks { compressBlock(data + 64 * b, &state, w, k) }
            }
        }
    }

    /// One 64-byte block into the state.
    @inline(__always)
    private static func compressBlock(_ block: UnsafePointer<UInt8>, _ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                                      _ w: UnsafeMutableBufferPointer<UInt32>, _ k: UnsafeBufferPointer<UInt32>) {
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        let w = w.baseAddress!, k = k.baseAddress!
        for t in 0..<16 {
            let o = 4 * t
            w[t] = UInt32(block[o]) << 24 | UInt32(block[o + 1]) << 16 | UInt32(block[o + 2]) << 8 | UInt32(block[o + 3])
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = h
        for t in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }
}
