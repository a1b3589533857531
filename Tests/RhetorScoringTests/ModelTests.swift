import Foundation
import RhetorText
import Testing
@testable import RhetorScoring

@Suite struct ModelTests {
    func randomWeights(bits: Int = 6) -> ModelWeights {
        var rng = SplitMix64(seed: 7)
        var w = ModelWeights(outputs: 3, denseCount: DenseFeature.count, bits: bits)
        func r() -> Float { Float(Int64(bitPattern: rng.next()) % 1000) / 997 }
        w.bias = w.bias.map { _ in r() }
        w.dense = w.dense.map { _ in r() }
        w.hashed = w.hashed.map { _ in r() }
        w.roundHashedToBFloat16()
        return w
    }

    @Test func weightsRoundTripBitExactly() throws {
        let w = randomWeights()
        #expect(try ModelWeights(bytes: w.serialized(), path: "w.bin") == w)
    }

    /// The extractor emits the buckets the model card's n-gram vectors give ("<ri" of "Ri").
    @Test func extractorUsesTheSpecifiedNgramBuckets() throws {
        let model = try Repo.defaultModel()
        #expect(model.manifest.features.hash.bits == 18)
        #expect(model.extractor.extract("Ri").buckets.contains(152_802))
        #expect(model.extractor.extract("ridiculous").buckets.contains(254_027))
    }

    @Test func bfloat16RoundsToNearestEven() {
        #expect(HashedTable.bfloat16(1) == 0x3F80)
        #expect(HashedTable.bfloat16(-2) == 0xC000)
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even significand (1).
        let ulp: Float = 1.0 / 128
        #expect(HashedTable.bfloat16(1 + ulp / 2) == 0x3F80)
        #expect(HashedTable.bfloat16(1 + 3 * ulp / 2) == 0x3F82)
        #expect(HashedTable.bfloat16(1 + ulp / 2 + ulp / 256) == 0x3F81)
        #expect(HashedTable.float(0x3F81) == 1 + ulp)
        #expect(HashedTable.bfloat16(.infinity) == 0x7F80)
        #expect(HashedTable.float(HashedTable.bfloat16(.nan)).isNaN)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7F7F_FFFF)
            guard f.isNormal else { continue }
            let r = HashedTable.rounded(f)
            #expect(abs(r - f) <= abs(f) / 256, "\(f)")
        }
    }

    /// A version-1 file (float32 hashed weights), written here byte by byte, still loads, with its
    /// hashed weights rounded to bfloat16.
    @Test func version1WeightsStillLoad() throws {
        let w = randomWeights(bits: 3)
        var out = ModelWeights.magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(1); u32(3); u32(UInt32(w.denseCount)); u32(3)
        for f in w.bias + w.dense + w.hashed.map({ $0 + 1e-4 }) { u32(f.bitPattern) }
        let sum = ModelWeights.checksum(out[...])
        withUnsafeBytes(of: sum.littleEndian) { out.append(contentsOf: $0) }
        let read = try ModelWeights(bytes: out, path: "v1.bin")
        #expect(read.dense == w.dense)
        #expect(read.hashed == w.hashed.map { HashedTable.rounded($0 + 1e-4) })
    }

    @Test func hashedTableSumsMatchAPlainLoop() {
        for outputs in [1, 3, 4, 5] {
            var w = ModelWeights(outputs: outputs, denseCount: 1, bits: 8)
            var rng = SplitMix64(seed: UInt64(outputs))
            w.hashed = w.hashed.map { _ in Float(Int64(bitPattern: rng.next()) % 1000) / 97 }
            w.roundHashedToBFloat16()
            let table = HashedTable(weights: w.hashed, outputs: outputs, bits: 8)
            let buckets = (0..<300).map { _ in Int32(rng.next() % 256) }
            var sums = [Float](repeating: .nan, count: outputs)
            buckets.withUnsafeBufferPointer { table.sum($0, into: &sums) }
            for o in 0..<outputs {
                var plain: Float = 0
                for b in buckets { plain += w.hashed[Int(b) * outputs + o] }
                #expect(sums[o] == plain)
            }
        }
    }

    @Test func damagedOrForeignWeightsAreRejected() {
        var bytes = randomWeights().serialized()
        bytes[40] ^= 1
        #expect(throws: DataFileError(path: "w.bin", line: 0, problem: "checksum mismatch: the file is damaged")) {
            _ = try ModelWeights(bytes: bytes, path: "w.bin")
        }
        var v3 = randomWeights().serialized()
        v3[4] = 3
        #expect(throws: DataFileError(path: "w.bin", line: 0, problem: "weights file version 3 is not supported (this build reads 1 and 2)")) {
            _ = try ModelWeights(bytes: v3, path: "w.bin")
        }
        #expect(throws: DataFileError.self) { _ = try ModelWeights(bytes: Array("nope".utf8), path: "w.bin") }
    }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func modelSavesAndLoads() throws {
        let lex = try Repo.lexiconSet()
        var pins: [String: ModelManifest.LexiconPin] = [:]
        for (n, f) in lex.files { pins[n] = .init(version: f.version, sha256: f.sha256) }
        let manifest = ModelManifest(format: "rhetor-model", formatVersion: ModelManifest.currentFormatVersion, name: "t", version: "0.1", outputs: Trainer.outputs,
                                     features: .init(dense: DenseFeature.allCases.map(\.name), hash: HashSpec(bits: 6), normalization: "test"),
                                     lexicons: pins, weights: .init(file: "weights.bin", checksum: ""), training: [:], metrics: ["x": 0.5])
        var model = LinearModel(manifest: manifest, weights: randomWeights(), lexicons: lex)
        let dir = try tempDir()
        try model.save(to: dir)
        let loaded = try LinearModel.load(directory: dir, lexiconDirectory: Repo.lexicons)
        #expect(loaded.manifest == model.manifest)
        #expect(loaded.weights == model.weights)
        let s = "A test statement, absolutely ridiculous!"
        #expect(BatchScorer(model: loaded).score([s]) == BatchScorer(model: model).score([s]))
    }

    @Test func unknownFormatVersionIsRejected() throws {
        let dir = try tempDir()
        for f in ["manifest.json", "weights.bin"] {
            try FileManager.default.copyItem(at: Repo.model.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let url = dir.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"formatVersion\" : 2", with: "\"formatVersion\" : 99")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: DataFileError(path: url.path, line: 0, problem: "model format version 99 is not supported (this build reads 2)")) {
            _ = try LinearModel.load(directory: dir, lexiconDirectory: Repo.lexicons)
        }
    }

    @Test func mismatchedLexiconIsRejected() throws {
        let lexDir = try tempDir()
        for f in LexiconSet.fileNames {
            try FileManager.default.copyItem(at: Repo.lexicons.appendingPathComponent(f), to: lexDir.appendingPathComponent(f))
        }
        let url = lexDir.appendingPathComponent("valence.tsv")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "# version: 1.0.0", with: "# version: 1.0.1")
        try text.write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try LinearModel.load(directory: Repo.model, lexiconDirectory: lexDir)
            Issue.record("a changed lexicon must not load")
        } catch let e as DataFileError {
            #expect(e.problem.contains("lexicon 'valence'") && e.problem.contains("does not match"))
        }
    }

    /// Statements for the numeric checks: the sample file plus sentences built from lexicon terms.
    func statements() throws -> [String] {
        let lex = try Repo.lexiconSet()
        var rng = SplitMix64(seed: 11)
        var out = ["", "!!!", "ok", "This is NOT acceptable!!!", "We are not ruling out sending troops."]
        for _ in 0..<600 {
            let n = Int(rng.next() % 20) + 1
            out.append((0..<n).map { _ in lex.terms[Int(rng.next() % UInt64(lex.terms.count))] }.joined(separator: " "))
        }
        return out
    }

    @Test func blasBatchMatchesScalarReference() throws {
        let model = try Repo.defaultModel()
        let scorer = BatchScorer(model: model)
        let texts = try statements()
        let batch = scorer.score(texts)
        #expect(batch.count == texts.count)
        for (t, s) in zip(texts, batch) {
            let r = scorer.referenceScore(t)
            for o in 0..<3 {
                #expect(abs(s.logits[o] - r.logits[o]) <= 1e-4 * max(1, abs(r.logits[o])), "\(t)")
            }
        }
    }

    @Test func explanationsAddUpToTheLogit() throws {
        let model = try Repo.defaultModel()
        let scorer = BatchScorer(model: model)
        for t in try statements().prefix(80) {
            let s = scorer.referenceScore(t)
            for (o, e) in model.explain(t).enumerated() {
                let sum = e.contributions.reduce(e.bias) { $0 + $1.contribution }
                #expect(abs(sum - s.logits[o]) < 1e-3, "\(t)")
                #expect(abs(e.score - s.values[o]) < 1e-4)
            }
        }
    }

    @Test func explanationOffsetsPointAtTheTerms() throws {
        let model = try Repo.defaultModel()
        let text = "Macron called the claims “ridiculous” and baseless."
        let scalars = Array(text.unicodeScalars)
        let hostility = try #require(model.explain(text).first { $0.output == "hostility" })
        let term = try #require(hostility.contributions.first { $0.kind == "term" && $0.label == "ridiculous" })
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars[term.charStart!..<term.charEnd!])
        #expect(String(v) == "ridiculous")
        #expect(term.contribution > 0)
    }

    @Test func defaultModelOrdersObviousCases() throws {
        let scorer = BatchScorer(model: try Repo.defaultModel())
        let s = scorer.score([
            "He is a liar and a coward, and he will pay the price!!!",
            "These accusations are absolutely ridiculous.",
            "We will share useful information with our partners.",
            "The agreement is a great success for both countries.",
            "It is possible that talks could resume next month.",
            "Without doubt, the evidence shows the policy failed.",
        ])
        #expect(min(s[0].values[0], s[1].values[0]) > max(s[2].values[0], s[3].values[0]))
        #expect(s[5].values[1] > s[4].values[1])
        #expect(s[3].values[2] > 0 && s[3].values[2] > s[1].values[2])
        for x in s {
            #expect((0...1).contains(x.values[0]) && (0...1).contains(x.values[1]) && (-1...1).contains(x.values[2]))
        }
    }
}
