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
    /// The hashed weights packed for the gather.
    public let table: HashedTable
    /// Statements per `sgemm` call; 256 x 17 floats of features stay far inside L2.
    public static let blockSize = 256

    /// Each output's link, read once from the manifest: calibration a, b and whether it is signed.
    @usableFromInline let links: [(a: Float, b: Float, signed: Bool)]
    /// The dense weights one output after another (`outputs x features` row-major: the
    /// transpose of `model.weights.dense`), as `BLAS.blockProduct` reads them.
    let denseByOutput: [Float]

    public init(model: LinearModel) {
        self.model = model
        table = HashedTable(model.weights)
        links = model.manifest.outputs.map { (Float($0.calibrationA), Float($0.calibrationB), $0.link == "signed-logistic") }
        let w = model.weights, features = w.dense.count / max(1, w.outputs)
        denseByOutput = (0..<w.outputs).flatMap { o in (0..<features).map { f in w.dense[f * w.outputs + o] } }
    }

    /// An output's score from its logit: the same arithmetic as `LinearModel.link`, without
    /// reading the manifest each time.
    @inlinable
    public func link(_ z: Float, output k: Int) -> Float {
        let l = links[k]
        let p = 1 / (1 + exp(-(l.a * z + l.b)))
        return l.signed ? 2 * p - 1 : p
    }

    /// Scores statements given as strings; pass a `scratch` to reuse buffers across calls on
    /// one thread.
    public func score(_ texts: [String], scratch: ExtractionScratch = ExtractionScratch()) -> [Scores] {
        score(count: texts.count, scratch: scratch) { i, body in
            var s = texts[i]
            s.withUTF8 { body($0) }
        }
    }

    /// Scores `count` statements whose bytes `withBytes` lends one at a time.
    public func score(count: Int, scratch: ExtractionScratch = ExtractionScratch(), withBytes: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void) -> [Scores] {
        let k = model.weights.outputs
        var logits: [Float] = []
        self.logits(count: count, withBytes: withBytes, into: &logits, scratch: scratch)
        return (0..<count).map { i in
            let z = Array(logits[(i * k)..<(i * k + k)])
            return Scores(logits: z, values: (0..<k).map { model.link(z[$0], output: $0) })
        }
    }

    /// Writes the logits of `count` statements (statement-major, `outputs` each) to `out`,
    /// replacing its contents: features for a block of statements go straight into the block's
    /// dense matrix and its hashed sums, then one `sgemm` per block. No allocation per statement.
    public func logits(count: Int, withBytes: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void, into out: inout [Float], scratch: ExtractionScratch = ExtractionScratch()) {
        let w = model.weights
        let d = w.denseCount
        let k = w.outputs
        let extractor = model.extractor
        // Sized once and written in place: an append per logit checked uniqueness and room.
        if out.count != count * k {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: repeatElement(0, count: count * k))
        }
        // A block's rows, no more than there are statements (a quote pipeline scores a few per article).
        let rows = min(Self.blockSize, count)
        // Moved out of the scratch for the call and back after it.
        var buffers = ExtractionScratch.BlockBuffers()
        swap(&buffers, &scratch.block)
        defer { swap(&buffers, &scratch.block) }
        buffers.reserve(rows: rows, width: d, outputs: k)
        var start = 0
        while start < count {
            let n = min(Self.blockSize, count - start)
            buffers.features.withUnsafeMutableBufferPointer { xb in
                buffers.hashedSums.withUnsafeMutableBufferPointer { hs in
                    for i in 0..<n {
                        withBytes(start + i) { bytes in
                            extractor.extractSummingHashed(bytes: bytes, scratch: scratch, dense: xb.baseAddress! + i * d,
                                                           table: table, sums: hs.baseAddress! + i * k)
                        }
                    }
                }
            }
            buffers.features.withUnsafeBufferPointer { xb in
                denseByOutput.withUnsafeBufferPointer { wb in
                    buffers.products.withUnsafeMutableBufferPointer { zb in
                        BLAS.blockProduct(rows: n, outputs: k, features: d, x: xb.baseAddress!, w: wb.baseAddress!, into: zb.baseAddress!)
                    }
                }
            }
            buffers.products.withUnsafeBufferPointer { zb in
                buffers.hashedSums.withUnsafeBufferPointer { hs in
                    w.bias.withUnsafeBufferPointer { bias in
                        out.withUnsafeMutableBufferPointer { ob in
                            for i in 0..<n {
                                for o in 0..<k { ob[(start + i) * k + o] = zb[o * n + i] + bias[o] + hs[i * k + o] }
                            }
                        }
                    }
                }
            }
            start += n
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
        var codeSums = [Int](repeating: 0, count: w.outputs)
        table.sum(fv.buckets, into: &codeSums)
        for o in 0..<w.outputs {
            var s: Float = 0
            for j in 0..<w.denseCount { s += fv.dense[j] * w.dense[j * w.outputs + o] }
            logits[o] += s + HashedTable.value(codeSum: codeSums[o], scale: table.scales[o], count: fv.buckets.count)
        }
        return Scores(logits: logits, values: (0..<w.outputs).map { model.link(logits[$0], output: $0) })
    }
}
