import Testing
@testable import _RhetorKernels

/// The SHA-extensions compression against its scalar twin, and the twin against FIPS 180-4.
@Suite struct SHA256BlocksTests {
    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    static let initial: State = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

    func words(_ s: State) -> [UInt32] { [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] }

    /// "abc" padded to one block (FIPS 180-4, appendix B.1).
    @Test func scalarTwinMatchesTheFIPSExample() {
        var block = [UInt8](repeating: 0, count: 64)
        block[0] = 0x61; block[1] = 0x62; block[2] = 0x63; block[3] = 0x80; block[63] = 24
        var h = Self.initial
        block.withUnsafeBufferPointer { SHA256Blocks.compressScalar(&h, $0.baseAddress!, blocks: 1) }
        #expect(words(h) == [0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad])
    }

    /// Random blocks from random states, 0 to 40 blocks at a time, at every offset of a buffer:
    /// the kernel and the twin end in the same state. Skipped on a CPU without SHA extensions
    /// (the twin then serves every digest).
    @Test(.enabled(if: SHA256Blocks.hasSHAExtensions)) func extensionsMatchTheScalarTwin() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<400 {
            let blocks = round % 41, offset = round % 16
            let bytes = (0..<(64 * blocks + offset)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let start: State = round == 0 ? Self.initial : (UInt32.random(in: 0...UInt32.max, using: &rng), UInt32.random(in: 0...UInt32.max, using: &rng),
                                                            UInt32.random(in: 0...UInt32.max, using: &rng), UInt32.random(in: 0...UInt32.max, using: &rng),
                                                            UInt32.random(in: 0...UInt32.max, using: &rng), UInt32.random(in: 0...UInt32.max, using: &rng),
                                                            UInt32.random(in: 0...UInt32.max, using: &rng), UInt32.random(in: 0...UInt32.max, using: &rng))
            var fast = start, scalar = start
            bytes.withUnsafeBufferPointer { p in
                SHA256Blocks.compressSHAExtensions(&fast, p.baseAddress! + offset, blocks: blocks)
                SHA256Blocks.compressScalar(&scalar, p.baseAddress! + offset, blocks: blocks)
            }
            #expect(words(fast) == words(scalar), "\(blocks) blocks at offset \(offset)")
        }
    }
}
