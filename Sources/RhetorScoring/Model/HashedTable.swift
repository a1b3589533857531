/// The hashed weights packed for the gather: bfloat16 lanes, four per bucket when the model has at
/// most four outputs, so one bucket is one aligned 8-byte load.
///
/// Why: a statement touches ~300 random buckets, and the gather is bound by where the table lives.
/// 2^18 buckets x 3 float32 (3 MB) spill out of this machine's 1 MiB L2 (`../shared/PERFORMANCE.md`);
/// bfloat16 halves the bytes per weight and the 4-lane stride keeps a bucket inside one cache
/// line. bfloat16 keeps float32's exponent and 8 bits of significand (relative rounding error at
/// most 2^-9), far below what the evaluation can resolve (the model card gives the figures).
public final class HashedTable: @unchecked Sendable {
    public let outputs: Int
    /// Lanes per bucket: 4 when `outputs <= 4`, else `outputs`.
    public let stride: Int
    public let bits: Int
    /// `stride x 2^bits` bfloat16 lanes, written once in `init`, read-only afterwards (hence
    /// Sendable); a stable pointer so the hot loop holds no reference-counted storage.
    let lanes: UnsafeMutablePointer<UInt16>

    /// Packs float weights laid out bucket-major (`2^bits x outputs`), rounding each to bfloat16.
    public init(weights: [Float], outputs: Int, bits: Int) {
        precondition(weights.count == outputs << bits, "hashed weights are not 2^bits x outputs")
        self.outputs = outputs
        self.bits = bits
        stride = outputs <= 4 ? 4 : outputs
        lanes = .allocate(capacity: stride << bits)
        lanes.initialize(repeating: 0, count: stride << bits)
        for b in 0..<(1 << bits) {
            for o in 0..<outputs { lanes[b * stride + o] = Self.bfloat16(weights[b * outputs + o]) }
        }
    }

    deinit { lanes.deallocate() }

    /// Rounds to the nearest bfloat16 (ties to even); NaN stays NaN.
    @inlinable
    public static func bfloat16(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// The float a bfloat16 stands for (exact).
    @inlinable
    public static func float(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// `f` rounded to the nearest bfloat16 value, as a float.
    @inlinable
    public static func rounded(_ f: Float) -> Float { float(bfloat16(f)) }

    /// The weight of `bucket` for `output`.
    public func weight(bucket: Int, output: Int) -> Float { Self.float(lanes[bucket * stride + output]) }

    /// Writes, for each output, the sum of the weights of `buckets` (in order, each bucket as
    /// often as it occurs) to `sums[0..<outputs]`. Sums run left to right in float32, so the
    /// result does not depend on how statements are spread over threads.
    public func sum(_ buckets: UnsafeBufferPointer<Int32>, into sums: UnsafeMutablePointer<Float>) {
        if stride == 4 {
            var acc = WeightAccumulator(table: self)
            for b in buckets { acc.add(b, 0, 0, 0) }
            acc.write(to: sums, outputs: outputs)
        } else {
            for o in 0..<outputs { sums[o] = 0 }
            for b in buckets {
                let base = Int(b) * stride
                for o in 0..<outputs { sums[o] += Self.float(lanes[base + o]) }
            }
        }
    }
}

/// Sums the weights of a 4-lane `HashedTable` bucket by bucket: one 8-byte load per bucket and
/// four independent float32 accumulators (kept in registers when the walk is inlined).
struct WeightAccumulator: HashedFeatureSink {
    let table: UnsafeRawPointer
    var count = 0
    var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0

    init(table: HashedTable) {
        precondition(table.stride == 4, "WeightAccumulator reads 4-lane tables")
        self.table = UnsafeRawPointer(table.lanes)
    }

    @inline(__always)
    mutating func add(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8) {
        count &+= 1
        let x = table.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: bucket) &<< 3, as: UInt64.self)
        a0 += Float(bitPattern: UInt32(truncatingIfNeeded: x) &<< 16)
        a1 += Float(bitPattern: UInt32(truncatingIfNeeded: x &>> 16) &<< 16)
        a2 += Float(bitPattern: UInt32(truncatingIfNeeded: x &>> 32) &<< 16)
        a3 += Float(bitPattern: UInt32(truncatingIfNeeded: x &>> 48) &<< 16)
    }

    /// The value every hashed feature takes: 1/sqrt(count), 0 without features.
    var scale: Float { count == 0 ? 0 : 1 / Float(count).squareRoot() }

    /// Writes the raw (unscaled) sums of the first `outputs` lanes.
    func write(to sums: UnsafeMutablePointer<Float>, outputs: Int) {
        if outputs > 0 { sums[0] = a0 }
        if outputs > 1 { sums[1] = a1 }
        if outputs > 2 { sums[2] = a2 }
        if outputs > 3 { sums[3] = a3 }
    }
}
