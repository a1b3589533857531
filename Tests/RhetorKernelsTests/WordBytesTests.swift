import Testing
@testable import _RhetorKernels

/// The SSE2 word-block kernel against its scalar twin and against `ByteClass`.
@Suite struct WordBytesTests {
    @Test func kernelIsSIMDOnX86() {
        #if arch(x86_64)
        #expect(WordBytes.usesSSE2)
        #endif
    }

    /// Every byte value in every lane, the other lanes filled with each of a few neighbours of
    /// the class boundaries.
    @Test func everyByteInEveryLane() {
        for fill: UInt8 in [0x00, 0x20, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x39, 0x3A, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC3, 0xFF] {
            for k in 0..<16 {
                for b in 0...255 {
                    var bytes = [UInt8](repeating: fill, count: 16)
                    bytes[k] = UInt8(b)
                    let simd = bytes.withUnsafeBufferPointer { WordBytes.blockSIMD($0.baseAddress!) }
                    let scalar = bytes.withUnsafeBufferPointer { WordBytes.blockScalar($0.baseAddress!) }
                    #expect(simd == scalar, "byte \(b) lane \(k) fill \(fill)")
                    #expect(scalar == Self.reference(bytes), "byte \(b) lane \(k) fill \(fill)")
                }
            }
        }
    }

    /// Random bytes at every alignment of a buffer.
    @Test func randomBytesAtEveryAlignment() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: 4096 + 16)
        for i in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Half the bytes from the ASCII letter and digit ranges, so words form.
            let r = UInt8(truncatingIfNeeded: state >> 33)
            bytes[i] = state >> 63 == 0 ? r : [0x41, 0x5A, 0x61, 0x7A, 0x30, 0x39, 0x27, 0x2D][Int(r & 7)] &+ (r >> 7)
        }
        bytes.withUnsafeBufferPointer { p in
            for offset in 0..<4096 {
                let at = p.baseAddress! + offset
                #expect(WordBytes.blockSIMD(at) == WordBytes.blockScalar(at), "offset \(offset)")
            }
        }
    }

    @Test func droppingShiftsMasksAndBytes() {
        let bytes = Array("Ab1 cD-Ef9 3,4.5".utf8)
        let whole = bytes.withUnsafeBufferPointer { WordBytes.blockScalar($0.baseAddress!) }
        for d in 1..<16 {
            let tail = Array(bytes[d...]) + [UInt8](repeating: 0, count: d)
            #expect(whole.dropping(d) == tail.withUnsafeBufferPointer { WordBytes.blockScalar($0.baseAddress!) }, "d \(d)")
        }
    }

    /// The classes straight from `ByteClass`, the tokenizer's reference.
    static func reference(_ bytes: [UInt8]) -> WordBlock {
        var b = WordBlock(word: 0, upper: 0, digit: 0, lo: 0, hi: 0)
        for (k, c) in bytes.enumerated() {
            let cls = ByteClass.classify(c)
            if cls == .upper || cls == .lower || cls == .digit { b.word |= 1 << UInt32(k) }
            if cls == .upper { b.upper |= 1 << UInt32(k) }
            if cls == .digit { b.digit |= 1 << UInt32(k) }
            if c == 0x2C || c == 0x2E { b.separator |= 1 << UInt32(k) }
            if cls == .hyphen { b.hyphen |= 1 << UInt32(k) }
            let l = UInt64(cls == .upper ? c | 0x20 : c)
            if k < 8 { b.lo |= l << UInt64(8 * k) } else { b.hi |= l << UInt64(8 * (k - 8)) }
        }
        return b
    }
}
