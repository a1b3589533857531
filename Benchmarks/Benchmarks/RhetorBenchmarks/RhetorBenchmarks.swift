import Benchmark
import Foundation
import Rhetor
import _RhetorKernels

/// Benchmarks of the scoring path: tokenizer, lexicon lookup, feature extraction, model
/// evaluation (BLAS batch vs scalar reference). Inputs are built from the bundled sample and the
/// lexicon terms, so the suite runs without ../shared.
let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func sampleStatements(_ n: Int) -> [String] {
    let text = (try? String(contentsOf: root.appendingPathComponent("samples/statements.jsonl"), encoding: .utf8)) ?? ""
    let base = text.split(separator: "\n").compactMap { line -> String? in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
    }
    return (0..<n).map { base[$0 % base.count] }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))
    let statements = sampleStatements(10_000)
    let bytes = statements.reduce(0) { $0 + $1.utf8.count }
    let model = try! LinearModel.load(directory: root.appendingPathComponent("models/rhetor-news"),
                                      lexiconDirectory: root.appendingPathComponent("lexicons"))
    let scorer = BatchScorer(model: model)
    let joined = Array(statements.joined(separator: " ").utf8)

    Benchmark("Tokenizer.tokenize (\(joined.count) bytes)", configuration: .init(scalingFactor: .one)) { benchmark in
        var tokens: [Token] = []
        for _ in benchmark.scaledIterations {
            joined.withUnsafeBufferPointer { Tokenizer().tokenize($0, into: &tokens) }
            blackHole(tokens.count)
        }
    }

    // SIMD kernels against their scalar twins on 1 MiB of text with no newline until the end.
    var mib = [UInt8](repeating: 0x61, count: 1 << 20)
    mib[mib.count - 1] = 0x0A
    let text = mib
    Benchmark("ByteScan.firstIndex SIMD16 (1 MiB)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.firstIndexSIMD(of: 0x0A, in: $0)) } }
    }
    Benchmark("ByteScan.firstIndex scalar (1 MiB)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.firstIndexScalar(of: 0x0A, in: $0)) } }
    }
    Benchmark("ByteScan.asciiPrefix SIMD16 (1 MiB)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.asciiPrefixSIMD($0)) } }
    }
    Benchmark("ByteScan.asciiPrefix scalar (1 MiB)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.asciiPrefixScalar($0)) } }
    }

    Benchmark("FeatureExtractor.extract (10k statements, \(bytes) bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            for s in statements { blackHole(model.extractor.extract(s).buckets.count) }
        }
    }

    Benchmark("BatchScorer.score BLAS (10k statements)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scorer.score(statements).count) }
    }

    Benchmark("BatchScorer.referenceScore scalar (10k statements)") { benchmark in
        for _ in benchmark.scaledIterations {
            for s in statements { blackHole(scorer.referenceScore(s).logits[0]) }
        }
    }
}
