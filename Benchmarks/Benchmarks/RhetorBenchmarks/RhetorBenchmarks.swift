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
    // Committed static thresholds (`Thresholds/`) are checked with these tolerances: allocations
    // are deterministic and must not grow by more than 5 %. Time is only a coarse guard: this
    // machine class (2 shared vCPUs) runs the same binary up to 2x slower from one hour to the
    // next (the same 1 MiB scan took 58 and 99 us minutes apart on 2026-12-01), so a check fails
    // only past 2.5x the recorded time (throughput below 40 % of it), which still catches the
    // 10x trap of lane-by-lane SIMD. Compare builds with instruction counts (results/).
    let tolerances: [BenchmarkMetric: BenchmarkThresholds] = [
        .mallocCountTotal: .init(relative: [.p90: 5.0], absolute: [.p90: 2]),
        .wallClock: .init(relative: [.p90: 150.0]),
        .throughput: .init(relative: [.p90: 60.0]),
    ]
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3), thresholds: tolerances)
    let statements = sampleStatements(10_000)
    let model = try! LinearModel.load(directory: root.appendingPathComponent("models/rhetor-news"),
                                      lexiconDirectory: root.appendingPathComponent("lexicons"))
    let scorer = BatchScorer(model: model)
    let joined = Array(statements.joined(separator: " ").utf8)

    Benchmark("Tokenizer.tokenize", configuration: .init(scalingFactor: .one)) { benchmark in
        let tokens = TokenBuffer()
        for _ in benchmark.scaledIterations {
            joined.withUnsafeBufferPointer { Tokenizer().tokenize($0, into: tokens) }
            blackHole(tokens.count)
        }
    }

    // SIMD kernels against their scalar twins on 1 MiB of text with no newline until the end.
    var mib = [UInt8](repeating: 0x61, count: 1 << 20)
    mib[mib.count - 1] = 0x0A
    let text = mib
    Benchmark("ByteScan.firstIndex.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.firstIndexSIMD(of: 0x0A, in: $0)) } }
    }
    Benchmark("ByteScan.firstIndex.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.firstIndexScalar(of: 0x0A, in: $0)) } }
    }
    Benchmark("ByteScan.asciiPrefix.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.asciiPrefixSIMD($0)) } }
    }
    Benchmark("ByteScan.asciiPrefix.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.asciiPrefixScalar($0)) } }
    }
    // The tokenizer's 16-byte word classifier (SSE2 via CRhetorSIMD) against its scalar twin:
    // one block at every 16th byte of the MiB.
    Benchmark("WordBytes.block.SIMD", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            text.withUnsafeBufferPointer { p in
                var acc: UInt32 = 0
                for i in stride(from: 0, to: p.count - 16, by: 16) { acc &+= WordBytes.blockSIMD(p.baseAddress! + i).word }
                blackHole(acc)
            }
        }
    }
    Benchmark("WordBytes.block.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            text.withUnsafeBufferPointer { p in
                var acc: UInt32 = 0
                for i in stride(from: 0, to: p.count - 16, by: 16) { acc &+= WordBytes.blockScalar(p.baseAddress! + i).word }
                blackHole(acc)
            }
        }
    }

    // The lexicon lookup on its own: longest phrase match at every token of the statements.
    var allTokens: [Token] = []
    joined.withUnsafeBufferPointer { Tokenizer().tokenize($0, into: &allTokens) }
    let tokens = allTokens
    Benchmark("LexiconSet.longestMatch") { benchmark in
        for _ in benchmark.scaledIterations {
            var hits = 0
            tokens.withUnsafeBufferPointer { tb in
                for i in 0..<tb.count where model.extractor.lexicons.longestMatch(tb, at: i) != nil { hits += 1 }
            }
            blackHole(hits)
        }
    }

    // JSON Lines reading: the Foundation-free scanner over the statements as JSON lines.
    let jsonLines: [[UInt8]] = statements.enumerated().map { i, s in
        var w = JSONWriter()
        w.raw("{"); w.key("id"); w.raw(String(i)); w.raw(","); w.key("text"); w.string(s); w.raw("}")
        return w.bytes
    }
    let scanner = JSONLineScanner(keys: ["text", "id"])
    Benchmark("JSONLineScanner.scan") { benchmark in
        var values: [JSONLineScanner.Value?] = []
        var arena: [UInt8] = []
        for _ in benchmark.scaledIterations {
            for line in jsonLines {
                arena.removeAll(keepingCapacity: true)
                blackHole(line.withUnsafeBufferPointer { scanner.scan($0, values: &values, arena: &arena) } == nil)
            }
        }
    }
    Benchmark("ByteScan.jsonStringStop.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.jsonStringStopSIMD(in: $0)) } }
    }
    Benchmark("ByteScan.jsonStringStop.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.jsonStringStopScalar(in: $0)) } }
    }
    // The copying twin: the same scan, storing the run (the MiB up to its last byte) as it goes.
    let copyRoom = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
    Benchmark("ByteScan.copyJSONStringRun.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.copyJSONStringRunSIMD(in: $0, from: 0, to: copyRoom)) } }
    }
    Benchmark("ByteScan.copyJSONStringRun.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.copyJSONStringRunScalar(in: $0, from: 0, to: copyRoom)) } }
    }

    Benchmark("ByteScan.quoteMarkCandidate.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.quoteMarkCandidateSIMD(in: $0)) } }
    }
    Benchmark("ByteScan.quoteMarkCandidate.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.quoteMarkCandidateScalar(in: $0)) } }
    }

    Benchmark("ByteScan.quoteRunEnd.SIMD16", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.quoteRunEndSIMD(in: $0)) } }
    }
    Benchmark("ByteScan.quoteRunEnd.scalar", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { text.withUnsafeBufferPointer { blackHole(ByteScan.quoteRunEndScalar(in: $0)) } }
    }

    // End to end through the pipelines, from a file to output bytes.
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    let statementFile = tmp.appendingPathComponent("statements.txt")
    try! Data((statements.joined(separator: "\n") + "\n").utf8).write(to: statementFile)
    for threads in [1, 2] {
        var options = ScoreOptions()
        options.threads = threads
        let pipeline = ScorePipeline(model: model, options: options)
        Benchmark("ScorePipeline.run.threads\(threads)") { benchmark in
            for _ in benchmark.scaledIterations {
                let h = try! FileHandle(forReadingFrom: statementFile)
                var out = 0
                blackHole(pipeline.run(input: h, write: { out += $0.count }).scored + out)
                try? h.close()
            }
        }
    }
    // Articles: the statements as quotes with speech cues, 20 to an article.
    let articles: [ArticleRecord] = stride(from: 0, to: statements.count, by: 20).map { a in
        let body = statements[a..<min(statements.count, a + 20)].enumerated().map { k, s in
            k % 2 == 0 ? "The minister said: “\(s)”" : "“\(s)” said Jane Doe, a spokeswoman."
        }.joined(separator: "\n\n")
        return ArticleRecord(line: a / 20 + 1, id: .string("a\(a)"), text: body)
    }
    let quotePipeline = QuotePipeline(extractor: QuoteExtractor(lexicon: try! AttributionLexicon(directory: root.appendingPathComponent("lexicons"))),
                                      model: model, outputFormat: .jsonl, threads: 1)
    Benchmark("QuotePipeline.render.threads1") { benchmark in
        for _ in benchmark.scaledIterations {
            var counts = QuotePipeline.Counts()
            blackHole(quotePipeline.render(articles, counts: &counts).count)
        }
    }

    Benchmark("FeatureExtractor.extract") { benchmark in
        for _ in benchmark.scaledIterations {
            for s in statements { blackHole(model.extractor.extract(s).buckets.count) }
        }
    }

    Benchmark("BatchScorer.score.BLAS") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scorer.score(statements).count) }
    }

    Benchmark("BatchScorer.referenceScore.scalar") { benchmark in
        for _ in benchmark.scaledIterations {
            for s in statements { blackHole(scorer.referenceScore(s).logits[0]) }
        }
    }
}
