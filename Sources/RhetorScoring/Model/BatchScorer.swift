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
            return s.withUTF8 { body($0) }
        }
    }

    /// Scores `count` statements whose bytes `bytesOf` lends one at a time, using BLAS.
    public func score(count: Int, bytesOf: (Int, (UnsafeBufferPointer<UInt8>) -> FeatureVector) -> FeatureVector) -> [Scores] {
        let w = model.weights
        let d = w.denseCount
        let k = w.outputs
        var result: [Scores] = []
        result.reserveCapacity(count)
        var x = [Float](repeating: 0, count: Self.blockSize * d)
        var z = [Float](repeating: 0, count: Self.blockSize * k)
        var features: [FeatureVector] = []
        var start = 0
        while start < count {
            let n = min(Self.blockSize, count - start)
            features.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let fv = bytesOf(start + i) { model.extractor.extract(bytes: $0) }
                for j in 0..<d { x[i * d + j] = fv.dense[j] }
                features.append(fv)
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
                for o in 0..<k { logits[o] = z[i * k + o] + w.bias[o] }
                gatherHashed(features[i], into: &logits)
                result.append(Scores(logits: logits, values: (0..<k).map { model.link(logits[$0], output: $0) }))
            }
            start += n
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
