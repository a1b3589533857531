import Foundation
import RhetorText

/// The scores of one statement.
public struct Scores: Sendable, Equatable {
    /// Raw linear outputs (before link and calibration), one per model output.
    public var logits: [Float]
    /// Linked, calibrated scores, one per model output.
    public var values: [Float]
}

/// Scores statements in blocks: the dense block through one `cblas_sgemm` per block, hashed
/// weights through a gather-sum loop.
///
/// Blocks are fixed-size slices of the input in input order, so a statement's bytes of output do
/// not depend on how work is spread over threads.
public struct BatchScorer: Sendable {
    public let model: LinearModel
    /// Statements per `sgemm` call; 256 x 17 floats of features stay far inside L2.
    public static let blockSize = 256

    public init(model: LinearModel) {
        self.model = model
    }

    /// Scores statements given as strings.
    public func score(_ texts: [String]) -> [Scores] {
        score(count: texts.count) { i, body in
            var s = texts[i]
            s.withUTF8 { body($0) }
        }
    }

    /// Scores `count` statements whose bytes `withBytes` lends one at a time: features for a
    /// block go straight into the block's dense matrix and its hashed sums, then one `sgemm`.
    public func score(count: Int, withBytes: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void) -> [Scores] {
        let w = model.weights
        let d = w.denseCount
        let k = w.outputs
        let extractor = model.extractor
        let scratch = ExtractionScratch()
        var result: [Scores] = []
        result.reserveCapacity(count)
        var x = [Float](repeating: 0, count: Self.blockSize * d)
        var z = [Float](repeating: 0, count: Self.blockSize * k)
        var hashedSums = [Float](repeating: 0, count: Self.blockSize * k)
        var start = 0
        w.hashed.withUnsafeBufferPointer { h in
            while start < count {
                let n = min(Self.blockSize, count - start)
                x.withUnsafeMutableBufferPointer { xb in
                    hashedSums.withUnsafeMutableBufferPointer { hs in
                        for i in 0..<n {
                            withBytes(start + i) { bytes in
                                let scale = extractor.extract(bytes: bytes, scratch: scratch, dense: xb.baseAddress! + i * d, explain: false)
                                for o in 0..<k { hs[i * k + o] = 0 }
                                for b in scratch.buckets {
                                    let base = Int(b) * k
                                    for o in 0..<k { hs[i * k + o] += h[base + o] }
                                }
                                for o in 0..<k { hs[i * k + o] *= scale }
                            }
                        }
                    }
                }
                x.withUnsafeBufferPointer { xb in
                    w.dense.withUnsafeBufferPointer { wb in
                        z.withUnsafeMutableBufferPointer { zb in
                            BLAS.sgemm(m: n, n: k, k: d, a: xb.baseAddress!, b: wb.baseAddress!, c: zb.baseAddress!)
                        }
                    }
                }
                for i in 0..<n {
                    var logits = [Float](repeating: 0, count: k)
                    for o in 0..<k { logits[o] = z[i * k + o] + w.bias[o] + hashedSums[i * k + o] }
                    result.append(Scores(logits: logits, values: (0..<k).map { model.link(logits[$0], output: $0) }))
                }
                start += n
            }
        }
        return result
    }

    /// Adds the hashed features' weights to the logits.
    @inline(__always)
    func gatherHashed(_ fv: FeatureVector, into logits: inout [Float]) {
        let k = model.weights.outputs
        model.weights.hashed.withUnsafeBufferPointer { h in
            for (b, v) in zip(fv.buckets, fv.values) {
                let base = Int(b) * k
                for o in 0..<k { logits[o] += v * h[base + o] }
            }
        }
    }

    /// The plain scalar reference: one statement, no BLAS. Tests compare it with `score`.
    public func referenceScore(_ text: String) -> Scores {
        let fv = model.extractor.extract(text)
        return referenceScore(fv)
    }

    /// The scalar reference on extracted features.
    public func referenceScore(_ fv: FeatureVector) -> Scores {
        let w = model.weights
        var logits = w.bias
        for o in 0..<w.outputs {
            var s: Float = 0
            for j in 0..<w.denseCount { s += fv.dense[j] * w.dense[j * w.outputs + o] }
            logits[o] += s
        }
        gatherHashed(fv, into: &logits)
        return Scores(logits: logits, values: (0..<w.outputs).map { model.link(logits[$0], output: $0) })
    }
}
