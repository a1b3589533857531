import Testing
@testable import _RhetorKernels

/// The SIMD kernels against their scalar twins and a naive oracle: a seed table expanded over
/// every alignment and tail length, then random bytes.
@Suite struct ByteScanTests {
    func naiveFirst(_ b: [UInt8], _ x: UInt8, _ from: Int) -> Int {
        var i = max(0, from)
        while i < b.count { if b[i] == x { return i }; i += 1 }
        return b.count
    }

    func naiveASCII(_ b: [UInt8], _ from: Int) -> Int {
        let s = min(max(0, from), b.count)
        var i = s
        while i < b.count, b[i] < 0x80 { i += 1 }
        return i - s
    }

    @Test func everyAlignmentAndTailLength() {
        // Seed patterns: no hit, a hit at each position, a non-ASCII byte at each position.
        for offset in 0..<17 {
            for length in 0..<70 {
                var base = [UInt8](repeating: 0x61, count: offset + length)
                base.withUnsafeBufferPointer { whole in
                    let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                    #expect(ByteScan.firstIndexSIMD(of: 0x0A, in: slice) == length)
                    #expect(ByteScan.asciiPrefixSIMD(slice) == length)
                }
                for hit in 0..<length {
                    base = [UInt8](repeating: 0x61, count: offset + length)
                    base[offset + hit] = 0x0A
                    var bytes = base
                    bytes[offset + hit] = 0x0A
                    bytes.withUnsafeBufferPointer { whole in
                        let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                        let array = Array(slice)
                        for from in [0, hit, max(0, hit - 1), hit + 1] {
                            let want = naiveFirst(array, 0x0A, from)
                            #expect(ByteScan.firstIndexSIMD(of: 0x0A, in: slice, from: from) == want)
                            #expect(ByteScan.firstIndexScalar(of: 0x0A, in: slice, from: from) == want)
                        }
                    }
                    bytes[offset + hit] = 0xC3
                    bytes.withUnsafeBufferPointer { whole in
                        let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                        let array = Array(slice)
                        for from in [0, hit, hit + 1, length + 3] {
                            let want = naiveASCII(array, from)
                            #expect(ByteScan.asciiPrefixSIMD(slice, from: from) == want)
                            #expect(ByteScan.asciiPrefixScalar(slice, from: from) == want)
                        }
                    }
                }
            }
        }
    }

    @Test func randomBytesAgree() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<300, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let needle = UInt8.random(in: 0...255, using: &rng)
            let from = Int.random(in: 0...max(0, n), using: &rng)
            bytes.withUnsafeBufferPointer { b in
                #expect(ByteScan.firstIndexSIMD(of: needle, in: b, from: from) == naiveFirst(bytes, needle, from))
                #expect(ByteScan.firstIndexScalar(of: needle, in: b, from: from) == naiveFirst(bytes, needle, from))
                #expect(ByteScan.asciiPrefixSIMD(b, from: from) == naiveASCII(bytes, from))
                #expect(ByteScan.asciiPrefixScalar(b, from: from) == naiveASCII(bytes, from))
            }
        }
    }

    func naiveLineEnd(_ b: [UInt8], _ from: Int) -> LineEnd {
        let end = naiveFirst(b, 0x0A, from)
        let start = min(max(0, from), end)
        return LineEnd(index: end, ascii: b[start..<end].allSatisfy { $0 < 0x80 })
    }

    /// `lineEnd`: a line feed at every position with a non-ASCII byte next to it, at the block
    /// edges or absent, over every alignment and tail length; then random bytes.
    @Test func lineEndTwinsAgree() {
        for offset in 0..<17 {
            for length in 0..<50 {
                for newline in -1..<length {
                    // The non-ASCII byte just before and after the line feed, at the block
                    // edges, at the ends, or absent.
                    let highs = Set([-1, 0, newline - 1, newline + 1, 14, 15, 16, 17, 31, 32, length - 1])
                    for high in highs.sorted() where high >= -1 && high < length && high != newline {
                        var bytes = [UInt8](repeating: 0x61, count: offset + length)
                        if newline >= 0 { bytes[offset + newline] = 0x0A }
                        if high >= 0 { bytes[offset + high] = 0xE2 }
                        bytes.withUnsafeBufferPointer { whole in
                            let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                            let array = Array(slice)
                            for from in [0, 1, max(0, newline), newline + 1] {
                                let want = naiveLineEnd(array, from)
                                #expect(ByteScan.lineEndSIMD(in: slice, from: from) == want)
                                #expect(ByteScan.lineEndScalar(in: slice, from: from) == want)
                            }
                        }
                    }
                }
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<300, using: &rng)
            // Mostly ASCII with rare line feeds and non-ASCII bytes, so both outcomes occur.
            let bytes = (0..<n).map { _ -> UInt8 in
                switch Int.random(in: 0..<100, using: &rng) {
                case 0: 0x0A
                case 1: UInt8.random(in: 0x80...0xFF, using: &rng)
                case 2: UInt8.random(in: 0...255, using: &rng)
                default: UInt8.random(in: 0x20..<0x7F, using: &rng)
                }
            }
            let from = Int.random(in: 0...max(0, n), using: &rng)
            bytes.withUnsafeBufferPointer { b in
                let want = naiveLineEnd(bytes, from)
                #expect(ByteScan.lineEndSIMD(in: b, from: from) == want)
                #expect(ByteScan.lineEndScalar(in: b, from: from) == want)
            }
        }
    }

    func naiveJSONStop(_ b: [UInt8], _ from: Int) -> Int {
        var i = max(0, from)
        while i < b.count { if b[i] == 0x22 || b[i] == 0x5C || b[i] < 0x20 { return i }; i += 1 }
        return b.count
    }

    /// A kernel that finds the first byte of a class: (bytes, from) -> index.
    typealias StopKernel = (UnsafeBufferPointer<UInt8>, Int) -> Int

    /// Every stop byte (and the bytes next to them, which must not stop) at every position, over
    /// every alignment and tail length, SIMD and scalar against the oracle.
    func checkEveryAlignment(stops: [UInt8], fillers: [UInt8], simd: StopKernel, scalar: StopKernel, oracle: ([UInt8], Int) -> Int) {
        for offset in 0..<17 {
            for length in 0..<50 {
                for filler in fillers {
                    let base = [UInt8](repeating: filler, count: offset + length)
                    base.withUnsafeBufferPointer { whole in
                        let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                        #expect(simd(slice, 0) == length)
                        #expect(scalar(slice, 0) == length)
                    }
                }
                for hit in 0..<length {
                    for stop in stops {
                        var bytes = [UInt8](repeating: 0x61, count: offset + length)
                        bytes[offset + hit] = stop
                        bytes.withUnsafeBufferPointer { whole in
                            let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                            let array = Array(slice)
                            for from in [0, hit, hit + 1] {
                                let want = oracle(array, from)
                                #expect(simd(slice, from) == want)
                                #expect(scalar(slice, from) == want)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Random bytes, mostly from `typical` so that long stop-free runs occur, one in `rareOneIn`
    /// from the whole range.
    func checkRandomBytes(typical: ClosedRange<UInt8>, rareOneIn: Int, simd: StopKernel, scalar: StopKernel, oracle: ([UInt8], Int) -> Int) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<300, using: &rng)
            let bytes = (0..<n).map { _ in Int.random(in: 0..<rareOneIn, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8.random(in: typical, using: &rng) }
            let from = Int.random(in: 0...max(0, n), using: &rng)
            bytes.withUnsafeBufferPointer { b in
                #expect(simd(b, from) == oracle(bytes, from))
                #expect(scalar(b, from) == oracle(bytes, from))
            }
        }
    }

    @Test func jsonStringStopEveryAlignment() {
        checkEveryAlignment(stops: [0x22, 0x5C, 0x00, 0x0A, 0x1F], fillers: [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF],
                            simd: { ByteScan.jsonStringStopSIMD(in: $0, from: $1) }, scalar: { ByteScan.jsonStringStopScalar(in: $0, from: $1) },
                            oracle: naiveJSONStop)
    }

    @Test func jsonStringStopRandomBytes() {
        // Mostly printable bytes.
        checkRandomBytes(typical: 0x23...0x5B, rareOneIn: 10,
                         simd: { ByteScan.jsonStringStopSIMD(in: $0, from: $1) }, scalar: { ByteScan.jsonStringStopScalar(in: $0, from: $1) },
                         oracle: naiveJSONStop)
    }

    /// `copyJSONStringRun` as a stop kernel that also checks what it copied: the run's bytes,
    /// into a buffer of exactly the room it may use (`bytes.count - from`), filled with a
    /// marker so a short or stray copy shows.
    func copyKernel(_ copy: @escaping (UnsafeBufferPointer<UInt8>, Int, UnsafeMutablePointer<UInt8>) -> Int) -> StopKernel {
        { bytes, from in
            let room = max(0, bytes.count - max(0, from))
            let out = UnsafeMutablePointer<UInt8>.allocate(capacity: room + 1)
            defer { out.deallocate() }
            out.initialize(repeating: 0xEE, count: room + 1)
            let stop = copy(bytes, from, out)
            let start = min(max(0, from), bytes.count)
            #expect(Array(UnsafeBufferPointer(start: out, count: max(0, stop - start))) == Array(bytes[start..<max(start, stop)]))
            #expect(out[room] == 0xEE, "wrote past its room")
            return stop
        }
    }

    @Test func copyJSONStringRunEveryAlignment() {
        checkEveryAlignment(stops: [0x22, 0x5C, 0x00, 0x0A, 0x1F], fillers: [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF],
                            simd: copyKernel { ByteScan.copyJSONStringRunSIMD(in: $0, from: $1, to: $2) },
                            scalar: copyKernel { ByteScan.copyJSONStringRunScalar(in: $0, from: $1, to: $2) },
                            oracle: naiveJSONStop)
    }

    @Test func copyJSONStringRunRandomBytes() {
        checkRandomBytes(typical: 0x23...0x5B, rareOneIn: 10,
                         simd: copyKernel { ByteScan.copyJSONStringRunSIMD(in: $0, from: $1, to: $2) },
                         scalar: copyKernel { ByteScan.copyJSONStringRunScalar(in: $0, from: $1, to: $2) },
                         oracle: naiveJSONStop)
    }

    func naiveQuoteRunEnd(_ b: [UInt8], _ from: Int) -> Int {
        var i = max(0, from)
        while i < b.count { if b[i] == 0x0A || b[i] == 0x22 || b[i] == 0x27 || b[i] >= 0x80 { return i }; i += 1 }
        return b.count
    }

    /// The stop bytes and the bytes around the class edges (which must not stop).
    @Test func quoteRunEndEveryAlignment() {
        checkEveryAlignment(stops: [0x0A, 0x22, 0x27, 0x80, 0xAB, 0xE2, 0xFF], fillers: [0x00, 0x09, 0x0B, 0x20, 0x21, 0x23, 0x26, 0x28, 0x61, 0x7F],
                            simd: { ByteScan.quoteRunEndSIMD(in: $0, from: $1) }, scalar: { ByteScan.quoteRunEndScalar(in: $0, from: $1) },
                            oracle: naiveQuoteRunEnd)
    }

    @Test func quoteRunEndRandomBytes() {
        // Mostly letters and punctuation without stops.
        checkRandomBytes(typical: 0x28...0x7E, rareOneIn: 12,
                         simd: { ByteScan.quoteRunEndSIMD(in: $0, from: $1) }, scalar: { ByteScan.quoteRunEndScalar(in: $0, from: $1) },
                         oracle: naiveQuoteRunEnd)
    }

    func naiveQuoteCandidate(_ b: [UInt8], _ from: Int) -> Int {
        var i = max(0, from)
        while i < b.count { if [0x22, 0x27, 0xC2, 0xE2].contains(b[i]) { return i }; i += 1 }
        return b.count
    }

    @Test func quoteMarkCandidateEveryAlignment() {
        for offset in 0..<17 {
            for length in 0..<50 {
                for hit in -1..<length {
                    for mark: UInt8 in [0x22, 0x27, 0xC2, 0xE2] {
                        var bytes = [UInt8](repeating: 0x61, count: offset + length)
                        // Near misses fill the rest: one off each candidate, and high bytes.
                        for k in stride(from: offset, to: offset + length, by: 3) { bytes[k] = [0x21, 0x23, 0xC3, 0xE1, 0x80][k % 5] }
                        if hit >= 0 { bytes[offset + hit] = mark }
                        bytes.withUnsafeBufferPointer { whole in
                            let slice = UnsafeBufferPointer(rebasing: whole[offset...])
                            let array = Array(slice)
                            for from in [0, max(0, hit), hit + 1] {
                                let want = naiveQuoteCandidate(array, from)
                                #expect(ByteScan.quoteMarkCandidateSIMD(in: slice, from: from) == want)
                                #expect(ByteScan.quoteMarkCandidateScalar(in: slice, from: from) == want)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func quoteMarkCandidateRandomBytes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<300, using: &rng)
            let bytes = (0..<n).map { _ in Int.random(in: 0..<20, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8.random(in: 0x41...0x7A, using: &rng) }
            let from = Int.random(in: 0...max(0, n), using: &rng)
            bytes.withUnsafeBufferPointer { b in
                #expect(ByteScan.quoteMarkCandidateSIMD(in: b, from: from) == naiveQuoteCandidate(bytes, from))
                #expect(ByteScan.quoteMarkCandidateScalar(in: b, from: from) == naiveQuoteCandidate(bytes, from))
            }
        }
    }
}
