import _RhetorKernels
import RhetorText

/// The hashed weights packed for the gather: 8-bit codes with one float scale per output, bucket
/// after bucket with no gap (the weights file's layout). With at most four outputs one 4-byte load
/// at `bucket x outputs` gives a bucket's codes in its first lanes; the bytes past them belong to
/// the next bucket, and no output reads their sums.
///
/// Why: a statement touches ~30 random buckets (a bigram per token, and a word's unigram and
/// n-grams when it is not in the word cache), and those loads wait on memory: `perf annotate` puts
/// a third of the hashing walk's samples on the bigram load (`Benchmarks/results/`). 2^18 buckets
/// x 3 float32 would be 3 MB; x 4 code bytes 1 MB; x 3 code bytes 768 KB, 25 % fewer cache lines
/// than four. Codes are `round(w / scale)` with `scale = max|w| / 127` per output;
/// sums of codes are exact integers, so they do not depend on summation order, caching or thread
/// count, and the scalar reference and the batch path agree bit for bit. The model card gives the
/// (unmeasurable at 4 decimals) cost in its metrics.
public final class HashedTable: @unchecked Sendable {
    public let outputs: Int
    /// Bytes from one bucket's codes to the next: `outputs`.
    public var stride: Int { outputs }
    /// True when one 4-byte load at `bucket x stride` holds the bucket's codes in its first
    /// `outputs` lanes (at most four outputs): what `WeightAccumulator` reads.
    public var loadsFourLanes: Bool { outputs <= 4 }
    public let bits: Int
    /// Per output: the weight of one code step.
    public let scales: [Float]
    /// `stride x 2^bits` codes and `padding` zero bytes, written once in `init`, read-only
    /// afterwards (hence Sendable); a stable pointer so the hot loop holds no reference-counted
    /// storage.
    let lanes: UnsafeMutablePointer<Int8>
    /// The size of `lanes`' allocation.
    let byteCount: Int

    /// Packs float weights laid out bucket-major (`2^bits x outputs`) as codes of `scales`.
    public convenience init(weights: [Float], scales: [Float], outputs: Int, bits: Int) {
        precondition(weights.count == outputs << bits, "hashed weights are not 2^bits x outputs")
        self.init(scales: scales, outputs: outputs, bits: bits) { lanes in
            for b in 0..<(1 << bits) {
                for o in 0..<outputs { lanes[b * outputs + o] = Self.code(weights[b * outputs + o], scale: scales[o]) }
            }
        }
    }

    /// Takes bucket-major codes (`2^bits x outputs`) as they are: a weights file's codes, which
    /// `ModelWeights` keeps so start-up skips re-deriving ~800k codes.
    public convenience init(codes: [Int8], scales: [Float], outputs: Int, bits: Int) {
        precondition(codes.count == outputs << bits, "hashed codes are not 2^bits x outputs")
        self.init(scales: scales, outputs: outputs, bits: bits) { lanes in
            codes.withUnsafeBufferPointer { lanes.update(from: $0.baseAddress!, count: outputs << bits) }
        }
    }

    /// The table for a model's hashed weights: from the file's codes when it still has them.
    public convenience init(_ weights: ModelWeights) {
        if let codes = weights.fileCodes {
            self.init(codes: codes, scales: weights.hashedScale, outputs: weights.outputs, bits: weights.bits)
        } else {
            self.init(weights: weights.hashed, scales: weights.hashedScale, outputs: weights.outputs, bits: weights.bits)
        }
    }

    /// Allocates the lanes, zeroes their padding and lets `fill` write the `outputs x 2^bits` codes.
    private init(scales: [Float], outputs: Int, bits: Int, fill: (UnsafeMutablePointer<Int8>) -> Void) {
        precondition(scales.count == outputs, "one scale per output")
        self.outputs = outputs
        self.bits = bits
        self.scales = scales
        byteCount = (outputs << bits) + Self.padding
        lanes = HugePageMemory.allocate(byteCount: byteCount).bindMemory(to: Int8.self, capacity: byteCount)
        (lanes + (outputs << bits)).initialize(repeating: 0, count: Self.padding)
        fill(lanes)
    }

    /// Zero bytes after the last bucket, so its 4-byte load stays inside the allocation.
    static let padding = 4

    deinit { HugePageMemory.deallocate(lanes, byteCount: byteCount) }

    /// The scale that maps the largest magnitude to code 127 (1 for an all-zero output).
    public static func scale(for weights: some Sequence<Float>) -> Float {
        let m = weights.reduce(Float(0)) { max($0, abs($1)) }
        return m > 0 && m.isFinite ? m / 127 : 1
    }

    /// `w / scale` rounded to the nearest integer (ties away from zero), clamped to ±127.
    ///
    /// Written without `rounded()`, which baseline x86-64 (SSE2, no `roundss`) turns into a libm
    /// call: truncate, then step away from zero when the dropped fraction is at least one half.
    /// Exact for every float, as the clamp to ±200 first keeps the truncation in range.
    @inlinable
    public static func code(_ w: Float, scale: Float) -> Int8 {
        let x = w / scale
        guard x.isFinite else { return 0 }
        let c = max(-200, min(200, x))
        var t = Int32(c)  // toward zero
        let fraction = c - Float(t)
        if fraction >= 0.5 { t += 1 } else if fraction <= -0.5 { t -= 1 }
        return Int8(max(-127, min(127, t)))
    }

    /// The hashed part of a logit: `scale x codeSum x 1/sqrt(count)`, in that order (0 without
    /// features). Both scoring paths call this, so they agree bit for bit.
    @inlinable
    public static func value(codeSum: Int, scale: Float, count: Int) -> Float {
        count == 0 ? 0 : scale * Float(codeSum) * (1 / Float(count).squareRoot())
    }

    /// Writes, for each output, the sum of the codes of `buckets` (exact) to `sums[0..<outputs]`;
    /// times `scales[o]` it is the hashed part of the logit before the feature value.
    public func sum(_ buckets: [Int32], into sums: UnsafeMutablePointer<Int>) {
        for o in 0..<outputs { sums[o] = 0 }
        for b in buckets {
            let base = Int(b) * stride
            for o in 0..<outputs { sums[o] += Int(lanes[base + o]) }
        }
    }
}

/// Sums the codes of a 4-lane `HashedTable` as the walk emits them: one 4-byte load per bucket,
/// widened to four 32-bit lanes and added in one vector register (`punpck`/`psrad`/`paddd` on
/// baseline SSE2: 5 instructions where four scalar sign-extend-and-add chains took ~13), one
/// accumulator for the statement and one for the current word group, and a `WordCache` of
/// word-group sums.
///
/// 32-bit lanes are exact for statements up to `maxBytes`: at most ~5 features per byte (a
/// unigram and a bigram per token, three n-gram lengths per word byte), each within ±127.
struct WeightAccumulator: HashedFeatureSink {
    /// The longest statement whose code sums fit 32-bit lanes with room to spare (4 MiB x 5
    /// features x 127 < 2^31); longer ones take the recording path.
    static let maxBytes = 1 << 22
    let table: UnsafeRawPointer
    /// `HashedTable.stride`: bytes from one bucket to the next.
    let stride: Int
    let cache: UnsafeMutablePointer<WordCache.Slot>
    let setMask: UInt64
    var count = 0
    var total = SIMD4<Int32>()
    var group = SIMD4<Int32>()
    var groupCount = 0
    /// The set to fill when the current group ends (nil: not cached).
    var pending: UnsafeMutablePointer<WordCache.Slot>?
    var pendingKey: WordKey?

    /// Each token's bigram (with the token before it) as the byte offset of its bucket's codes
    /// in the table (bucket x `stride`), written by `prepare` and read by the walk: hashed once
    /// rather than in both passes (cachegrind, 106k sentences: -0.9 % of the run's
    /// instructions), and multiplied there once rather than in the walk's loop.
    let bigrams: UnsafeMutablePointer<Int32>

    /// `cache` is a `WordCache`'s slots (the caller keeps the cache alive while this sums);
    /// `bigrams` has room for a bucket per token of the statements this accumulator sums.
    init(table: HashedTable, cache: UnsafeMutablePointer<WordCache.Slot>, bigrams: UnsafeMutablePointer<Int32>) {
        precondition(table.loadsFourLanes, "WeightAccumulator reads a bucket in one 4-byte load")
        // A bucket's byte offset fits `bigrams`' Int32: 2^bits x stride, with bits <= 26 (as a
        // weights file allows) and stride <= 4, is at most 2^28.
        precondition(table.bits <= 26, "bucket offsets must fit in 32 bits")
        self.bigrams = bigrams
        self.table = UnsafeRawPointer(table.lanes)
        stride = table.stride
        self.cache = cache
        setMask = UInt64(1 << WordCache.setBits) - 1
    }

    /// The four code bytes at a bucket, sign-extended (lane k is byte k from the bucket's first;
    /// lanes from `outputs` on are not the bucket's, and nothing reads their sums).
    @inline(__always)
    func codes(_ bucket: Int32) -> SIMD4<Int32> {
        SIMD4<Int32>(truncatingIfNeeded: codeBytes(bucket).loadUnaligned(as: SIMD4<Int8>.self))
    }

    /// Where a bucket's code bytes start in the table.
    @inline(__always)
    func codeBytes(_ bucket: Int32) -> UnsafeRawPointer {
        table + Int(truncatingIfNeeded: bucket) &* stride
    }

    /// The four code bytes at a byte offset into the table (a `bigrams` entry), sign-extended.
    @inline(__always)
    func codes(atOffset offset: Int32) -> SIMD4<Int32> {
        SIMD4<Int32>(truncatingIfNeeded: (table + Int(truncatingIfNeeded: offset)).loadUnaligned(as: SIMD4<Int8>.self))
    }

    /// The word cache's set (two slots) for a term hash.
    @inline(__always)
    func cacheSet(_ hash: UInt64) -> UnsafeMutablePointer<WordCache.Slot> {
        cache + Int(truncatingIfNeeded: hash & setMask) &* WordCache.ways
    }

    /// The walk adds only bigrams here, each as `bigramBucket` gave it: for this sink, the
    /// bucket's byte offset in the table.
    @inline(__always)
    mutating func add(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8) {
        count &+= 1
        total &+= codes(atOffset: bucket)
    }

    @inline(__always)
    mutating func beginGroup(_ word: WordKey?) -> Int32? {
        group = SIMD4()
        groupCount = 0
        pending = nil
        guard let word else { return nil }
        let set = cacheSet(word.hash)
        if set[0].holds(word) {
            addCached(set[0])
            return set[0].hint
        }
        if set[1].holds(word) {
            // Most recently used first.
            let c = set[1]
            set[1] = set[0]
            set[0] = c
            addCached(c)
            return c.hint
        }
        pending = set
        pendingKey = word
        return nil
    }

    @inline(__always)
    mutating func addCached(_ c: WordCache.Slot) {
        total &+= SIMD4<Int32>(truncatingIfNeeded: c.sums)
        count &+= Int(c.count)
    }

    @inline(__always)
    mutating func addToGroup(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8) {
        groupCount &+= 1
        group &+= codes(bucket)
    }

    @inline(__always)
    mutating func endGroup(hint: Int32) {
        total &+= group
        count &+= groupCount
        if let set = pending, let key = pendingKey {
            // A cached word is at most 16 bytes: at most 46 features, each code within ±127.
            // The new word goes first; the set's older word moves to the second way.
            set[1] = set[0]
            set[0] = WordCache.Slot(lo: key.lo, hi: key.hi, count: UInt16(groupCount),
                                    hint: hint, sums: SIMD4<Int16>(truncatingIfNeeded: group))
        }
    }

    /// Readies the walk over these tokens; call it before the walk. Hashes each token's bigram
    /// bucket into `bigrams` (the walk reads them there), and prefetches what the walk will read
    /// at random: each word's cache set and each bigram's bucket, so their misses (the 2 MB cache
    /// and the table together outgrow a core's 2 MB L2) are in flight at once instead of one or
    /// two at a time inside the walk. No branch per token: punctuation gets its bucket and
    /// prefetches too (the cached-word loop loads a mark's bucket and masks its codes out).
    ///
    /// Measured on the 500k sentences (30 rounds of interleaved runs, `perf stat` task-clock):
    /// the walk's time fell more than this pass costs, median 0.93 of the time without it
    /// (faster in 22 of 30 rounds) for 2.7 % more instructions (12.5 per token). Prefetching
    /// only the cache sets gave 0.985, and a pass that skipped punctuation with branches 0.977.
    @inline(__always)
    func prepare(tokens: UnsafeBufferPointer<Token>, hasher: BucketHasher) {
        var prev: UInt64 = 0
        for (i, t) in tokens.enumerated() {
            let h = t.hash
            let bucket = Int32(truncatingIfNeeded: hasher.bigram(prev, h))
            let offset = bucket &* Int32(truncatingIfNeeded: stride)
            bigrams[i] = offset
            Prefetch.read(table + Int(truncatingIfNeeded: offset))
            Prefetch.read(UnsafeRawPointer(cacheSet(h)))
            prev = h
        }
    }

    /// The bucket `prepare` hashed for token `index` (with the token before it: the walk asks
    /// only when that token is not punctuation, and `prepare` paired every token with the one
    /// before it), as its byte offset in the table: what this sink's `add` takes.
    @inline(__always)
    func bigramBucket(at index: Int, _ first: UInt64, _ second: UInt64, hasher: BucketHasher) -> Int32 {
        bigrams[index]
    }

    /// The walk's common case in a tight loop: tokens the tokenizer's plain path made (their
    /// lowered bytes are set: words, numbers and lone punctuation marks) that the cache's first
    /// way holds. Everything else (the second way, misses, tokens of the general rules) returns
    /// to the walk's `hashToken`.
    ///
    /// A mark's slot holds an empty group (count 0, which no word or number has): no bigram
    /// ends at it or at the token after it. Taken here without a jump on the token's kind, the
    /// loop no longer stops at every comma (that exit was the walk's most mispredicted branch).
    @inline(__always)
    mutating func addCachedWords(_ tokens: UnsafeBufferPointer<Token>, lowered: UnsafeBufferPointer<LoweredBytes>, from: Int, scan: inout RuleScan,
                                 prev: inout UInt64, havePrev: inout Bool) -> Int {
        var ti = from
        // `add` and `addCached` written out on locals: called on `self`, the sums stayed in
        // memory across the loop (106k sentences: +4.8M instructions).
        var total = self.total, count = self.count
        // 1 when the token before is a word or number (a bigram ends at the next one), else 0.
        var have: Int32 = havePrev ? 1 : 0
        let n = tokens.count
        while ti < n {
            let t = tokens[ti]
            let pre = lowered[ti]
            guard pre.lo != 0 else { break }
            let slot = cacheSet(t.hash)
            guard slot[0].holds(WordKey(lowered: pre, of: t)) else { break }
            let c = slot[0]
            let wordLike: Int32 = c.count != 0 ? 1 : 0
            // The bigram's codes, kept (all ones) or dropped (zero) by a mask, not a jump.
            let bigram = have & wordLike
            count &+= Int(bigram)
            total &+= codes(atOffset: bigrams[ti]) & SIMD4(repeating: 0 &- bigram)
            total &+= SIMD4<Int32>(truncatingIfNeeded: c.sums)
            count &+= Int(c.count)
            scan.add(index: ti, hint: c.hint)
            have = wordLike
            ti &+= 1
        }
        if ti > from {
            prev = tokens[ti &- 1].hash
            havePrev = have != 0
            self.total = total
            self.count = count
        }
        return ti
    }

    /// Writes the exact code sums of the first `outputs` lanes.
    func write(to sums: UnsafeMutablePointer<Int>, outputs: Int) {
        for o in 0..<min(outputs, 4) { sums[o] = Int(total[o]) }
    }
}
