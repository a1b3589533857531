import Dispatch
import Foundation
import RhetorText

/// How `rhetor train` fits a model.
public struct TrainingConfig: Sendable {
    public var epochs = 6
    /// AdaGrad base learning rate.
    public var learningRate: Float = 0.05
    /// Per-output learning rates that override `learningRate` (tuned on the dev split).
    public var outputLearningRates: [String: Float] = ["hostility": 0.05, "certainty": 0.03, "valence": 0.02]
    /// L2 penalty per update on the weights an example touches.
    public var l2: Float = 1e-6
    public var seed: UInt64 = 20_261_129
    public var hash = HashSpec()

    public init() {}
}

/// The evaluation of one set.
public struct SetMetric: Sendable {
    public var set: String
    public var output: String
    public var split: Split
    public var metric: String
    public var value: Double
    public var n: Int
}

/// Fits one L2-regularized logistic model per output (soft labels in [0, 1]) with AdaGrad over
/// standardized dense features plus hashed features, then folds the standardization into the
/// weights so scoring is a plain dot product.
public struct Trainer: Sendable {
    public let lexicons: LexiconSet
    public let config: TrainingConfig
    public let extractor: FeatureExtractor

    public init(lexicons: LexiconSet, config: TrainingConfig = TrainingConfig()) {
        self.lexicons = lexicons
        self.config = config
        extractor = FeatureExtractor(lexicons: lexicons, spec: config.hash)
    }

    /// The three outputs, their links and descriptions.
    public static let outputs: [ModelManifest.Output] = [
        .init(name: "hostility", link: "logistic", calibrationA: 1, calibrationB: 0,
              description: "probability that a human would label the statement hostile (aggressive, threatening, contemptuous, insulting)"),
        .init(name: "certainty", link: "logistic", calibrationA: 1, calibrationB: 0,
              description: "0 hedged ... 1 assertive (Pei & Jurgens 1-6 rescaled; weasel sentences 0)"),
        .init(name: "valence", link: "signed-logistic", calibrationA: 1, calibrationB: 0,
              description: "-1 negative ... +1 positive (VADER human mean rating / 4)"),
    ]

    /// Extracts features for many texts on all cores; the result is in input order.
    public func features(_ texts: [String]) -> [FeatureVector] {
        var out = [FeatureVector?](repeating: nil, count: texts.count)
        let chunks = max(1, min(64, texts.count / 256))
        out.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let b = buf
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = texts.count * c / chunks
                let hi = texts.count * (c + 1) / chunks
                for i in lo..<hi { b[i] = extractor.extract(texts[i]) }
            }
        }
        return out.map { $0! }
    }

    /// Trains all outputs from their sets; `log` receives progress lines.
    public func train(sets: [LabeledSet], name: String, version: String, log: (String) -> Void) -> LinearModel {
        let k = Self.outputs.count
        let d = DenseFeature.count
        var weights = ModelWeights(outputs: k, denseCount: d, bits: config.hash.bits)
        var outputs = Self.outputs
        for (o, output) in outputs.enumerated() {
            let mine = sets.filter { $0.output == output.name && $0.trainingWeight > 0 }
            let sizes = mine.map { Float($0.examples.filter { $0.split == .train }.count) }
            let mean = sizes.reduce(0, +) / Float(max(1, sizes.count))
            var texts: [String] = []
            var targets: [Float] = []
            var exampleWeights: [Float] = []
            for (s, set) in mine.enumerated() {
                // Every set weighs trainingWeight x (mean set size) in total, whatever its size.
                let w = set.trainingWeight * mean / max(1, sizes[s])
                for e in set.examples where e.split == .train {
                    texts.append(e.text)
                    targets.append(e.target)
                    exampleWeights.append(w)
                }
            }
            log("\(output.name): \(texts.count) training records from \(mine.map(\.name).joined(separator: ", "))")
            let fvs = features(texts)
            let lr = config.outputLearningRates[output.name] ?? config.learningRate
            let fit = fitLogistic(fvs, targets: targets, weights: exampleWeights, learningRate: lr, log: { log("\(output.name): \($0)") })
            weights.bias[o] = fit.bias
            for j in 0..<d { weights.dense[j * k + o] = fit.dense[j] }
            for b in 0..<config.hash.buckets { weights.hashed[b * k + o] = fit.hashed[b] }
        }
        // The scorer holds hashed weights as 8-bit codes; quantize here so every metric below is
        // the saved model's.
        weights.quantizeHashed()
        var pins: [String: ModelManifest.LexiconPin] = [:]
        for (n, f) in lexicons.files { pins[n] = .init(version: f.version, sha256: f.sha256) }
        let manifest = ModelManifest(
            format: ModelManifest.currentFormat, formatVersion: ModelManifest.currentFormatVersion,
            name: name, version: version, outputs: outputs,
            features: .init(dense: DenseFeature.allCases.map(\.name), hash: config.hash,
                            normalization: "dense lexicon sums / sqrt(max(1, lexical tokens)); hashed values 1/sqrt(number of hashed features)"),
            lexicons: pins, weights: .init(file: "weights.bin", checksum: ""),
            training: [
                "method": "L2-regularized logistic regression on soft labels, AdaGrad, \(config.epochs) epochs, learning rates \(config.outputLearningRates.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), l2 \(config.l2), seed \(config.seed); dense features standardized during training and folded back",
                "sets": sets.filter { $0.trainingWeight > 0 }.map { "\($0.output):\($0.name)x\($0.trainingWeight)" }.joined(separator: ", "),
                "split": "train part only: official splits where the set has them, else DataSplit (hash % 100 >= 15)",
            ],
            metrics: [:])
        var model = LinearModel(manifest: manifest, weights: weights, lexicons: lexicons)
        // Platt calibration of hostility on the pooled dev records of its training sets.
        let dev = sets.filter { $0.output == "hostility" && $0.trainingWeight > 0 }.flatMap { $0.examples.filter { $0.split == .dev } }
        if !dev.isEmpty {
            let scorer = BatchScorer(model: model)
            let z = scorer.score(dev.map(\.text)).map { Double($0.logits[0]) }
            let (a, b) = Self.plattScale(logits: z, labels: dev.map { Double($0.target) })
            outputs[0].calibrationA = a
            outputs[0].calibrationB = b
            model.manifest.outputs = outputs
            log("hostility: Platt calibration on \(dev.count) dev records: a=\(a), b=\(b)")
        }
        return model
    }

    struct Fit {
        var bias: Float
        var dense: [Float]
        var hashed: [Float]
    }

    func fitLogistic(_ fvs: [FeatureVector], targets: [Float], weights ew: [Float], learningRate lr: Float, log: (String) -> Void) -> Fit {
        let d = DenseFeature.count
        let n = fvs.count
        // Standardize dense features.
        var mu = [Float](repeating: 0, count: d)
        var sd = [Float](repeating: 0, count: d)
        for fv in fvs { for j in 0..<d { mu[j] += fv.dense[j] } }
        for j in 0..<d { mu[j] /= Float(max(1, n)) }
        for fv in fvs { for j in 0..<d { sd[j] += (fv.dense[j] - mu[j]) * (fv.dense[j] - mu[j]) } }
        for j in 0..<d { sd[j] = (sd[j] / Float(max(1, n))).squareRoot(); if sd[j] < 1e-6 { sd[j] = 1 } }

        var bias: Float = 0
        var gBias: Float = 1e-8
        var wd = [Float](repeating: 0, count: d)
        var gd = [Float](repeating: 1e-8, count: d)
        let buckets = config.hash.buckets
        var wh = [Float](repeating: 0, count: buckets)
        var gh = [Float](repeating: 1e-8, count: buckets)
        var order = Array(0..<n)
        var rng = SplitMix64(seed: config.seed)
        let l2 = config.l2
        var x = [Float](repeating: 0, count: d)
        for epoch in 1...config.epochs {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
            var loss: Double = 0
            var totalWeight: Double = 0
            for idx in order {
                let fv = fvs[idx]
                var z = bias
                for j in 0..<d {
                    x[j] = (fv.dense[j] - mu[j]) / sd[j]
                    z += wd[j] * x[j]
                }
                for (b, v) in zip(fv.buckets, fv.values) { z += wh[Int(b)] * v }
                let p = 1 / (1 + exp(-z))
                let y = targets[idx]
                let w = ew[idx]
                let pd = Double(min(max(p, 1e-7), 1 - 1e-7))
                let yd = Double(y)
                let ll: Double = yd * Foundation.log(pd) + (1 - yd) * Foundation.log(1 - pd)
                loss -= Double(w) * ll
                totalWeight += Double(w)
                let g = (p - y) * w
                gBias += g * g
                bias -= lr * g / gBias.squareRoot()
                for j in 0..<d {
                    let gj = g * x[j] + l2 * wd[j]
                    gd[j] += gj * gj
                    wd[j] -= lr * gj / gd[j].squareRoot()
                }
                for (b, v) in zip(fv.buckets, fv.values) {
                    let bi = Int(b)
                    let gj = g * v + l2 * wh[bi]
                    gh[bi] += gj * gj
                    wh[bi] -= lr * gj / gh[bi].squareRoot()
                }
            }
            log("epoch \(epoch): weighted log loss \(String(format: "%.4f", loss / max(totalWeight, 1e-9)))")
        }
        // Fold standardization: w'x' = sum w (x - mu)/sd.
        var dense = [Float](repeating: 0, count: d)
        var b = bias
        for j in 0..<d {
            dense[j] = wd[j] / sd[j]
            b -= wd[j] * mu[j] / sd[j]
        }
        return Fit(bias: b, dense: dense, hashed: wh)
    }

    /// Platt scaling: a, b minimizing log loss of sigmoid(a*z + b) against labels (Newton's method).
    public static func plattScale(logits z: [Double], labels y: [Double]) -> (Double, Double) {
        var a = 1.0, b = 0.0
        for _ in 0..<50 {
            var ga = 0.0, gb = 0.0, haa = 1e-9, hab = 0.0, hbb = 1e-9
            for (zi, yi) in zip(z, y) {
                let p = 1 / (1 + Foundation.exp(-(a * zi + b)))
                let r = p - yi
                let w = p * (1 - p)
                ga += r * zi; gb += r
                haa += w * zi * zi; hab += w * zi; hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det.magnitude > 1e-12 else { break }
            let da = (hbb * ga - hab * gb) / det
            let db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if da.magnitude + db.magnitude < 1e-9 { break }
        }
        return (a, b)
    }

    /// Evaluates a model on every set's dev and test records.
    public static func evaluate(model: LinearModel, sets: [LabeledSet]) -> [SetMetric] {
        let scorer = BatchScorer(model: model)
        var out: [SetMetric] = []
        for set in sets {
            guard let o = model.outputNames.firstIndex(of: set.output) else { continue }
            for split in [Split.dev, .test] {
                let ex = set.examples.filter { $0.split == split }
                guard !ex.isEmpty else { continue }
                let scores = scorer.score(ex.map(\.text)).map { Double($0.values[o]) }
                let value = set.metric == "auc"
                    ? Metrics.auc(scores: scores, positives: ex.map { $0.label > 0.5 })
                    : Metrics.pearson(scores, ex.map(\.label))
                out.append(SetMetric(set: set.name, output: set.output, split: split, metric: set.metric, value: value, n: ex.count))
            }
        }
        return out
    }
}
