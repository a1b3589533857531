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
        w.quantizeHashed()
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
        #expect(model.extractor.extract("Ri").buckets.contains(76_175))
        #expect(model.extractor.extract("ridiculous").buckets.contains(238_182))
        #expect(model.extractor.extract("ridiculous").buckets.contains(233_919))
        #expect(model.extractor.extract("Not ruling").buckets.contains(86_188))
        let hasher = model.manifest.features.hash.hasher
        #expect(hasher.word(TermHash.term(Array("ridiculous".utf8))) == 233_919)
        #expect(hasher.bigram(TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8))) == 86_188)
        #expect(hasher.char(TermHash.ngramKey(Array("ous>".utf8))) == 213_471)
    }

    @Test func hashedWeightsQuantizeToEightBitCodes() {
        #expect(HashedTable.scale(for: [0.5, -2.54, 1]) == 2.54 / 127)
        #expect(HashedTable.scale(for: [0, 0]) == 1)
        #expect(HashedTable.code(0.5, scale: 0.02) == 25)
        #expect(HashedTable.code(-0.51, scale: 0.02) == -26)
        #expect(HashedTable.code(0.01, scale: 0.02) == 1, "ties round away from zero")
        #expect(HashedTable.code(9, scale: 0.02) == 127)
        #expect(HashedTable.code(-9, scale: 0.02) == -127)
        #expect(HashedTable.code(.nan, scale: 0.02) == 0)
        // The libm-free rounding equals rounded() (ties away from zero) then the clamp.
        var bits = SplitMix64(seed: 23)
        for _ in 0..<100_000 {
            let x = Float(Int64(bitPattern: bits.next()) % 300_000) / 1000 + (bits.next() % 4 == 0 ? 0.5 : 0)
            let want = Int8(max(-127, min(127, (x / 1).rounded())))
            #expect(HashedTable.code(x, scale: 1) == want, "\(x)")
        }
        var w = randomWeights()
        let once = w.hashed
        w.quantizeHashed()
        #expect(w.hashed == once, "quantizing quantized weights changes nothing")
        for o in 0..<3 {
            let column = stride(from: o, to: once.count, by: 3).map { once[$0] }
            #expect(column.map(abs).max()! == w.hashedScale[o] * 127)
        }
    }

    /// A version-1 file (float32 hashed weights), written here byte by byte, still loads, with its
    /// hashed weights quantized.
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
        var want = w
        want.hashed = w.hashed.map { $0 + 1e-4 }
        want.quantizeHashed()
        #expect(read.hashed == want.hashed && read.hashedScale == want.hashedScale)
    }

    /// A version-3 file's codes are kept for the table; they must be exactly the codes the table
    /// would derive from the dequantized weights, and any edit of the weights must drop them.
    @Test func fileCodesEqualDerivedCodes() throws {
        let model = try Repo.defaultModel()
        let w = model.weights
        let codes = try #require(w.fileCodes)
        let fromFile = HashedTable(w)
        let derived = HashedTable(weights: w.hashed, scales: w.hashedScale, outputs: w.outputs, bits: w.bits)
        let n = fromFile.byteCount
        #expect(UnsafeBufferPointer(start: fromFile.lanes, count: n).elementsEqual(UnsafeBufferPointer(start: derived.lanes, count: n)))
        #expect(codes.count == w.hashed.count)
        // One weight read from the codes is the derived array's weight.
        let hashed = w.hashed
        for i in [0, 1, 2, 3, 1000, 77_777, hashed.count - 1] { #expect(w.hashedWeight(at: i) == hashed[i]) }
        var edited = w
        edited.hashed[0] += 1
        #expect(edited.fileCodes == nil)
        #expect(edited.hashed[0] == hashed[0] + 1 && edited.hashed[1...] == hashed[1...])
        var rescaled = w
        rescaled.hashedScale[0] *= 2
        #expect(rescaled.fileCodes == nil)
        // A new scale keeps the weights the codes stood for (they were derived at load before).
        #expect(rescaled.hashed == hashed)
        #expect(try ModelWeights(bytes: w.serialized(), path: "w") == w)
    }

    @Test func hashedTableSumsMatchAPlainLoop() {
        for outputs in [1, 3, 4, 5] {
            var w = ModelWeights(outputs: outputs, denseCount: 1, bits: 8)
            var rng = SplitMix64(seed: UInt64(outputs))
            w.hashed = w.hashed.map { _ in Float(Int64(bitPattern: rng.next()) % 1000) / 97 }
            w.quantizeHashed()
            let table = HashedTable(weights: w.hashed, scales: w.hashedScale, outputs: outputs, bits: 8)
            let buckets = (0..<300).map { _ in Int32(rng.next() % 256) }
            var sums = [Int](repeating: -1, count: outputs)
            table.sum(buckets, into: &sums)
            for o in 0..<outputs {
                var plain = 0
                for b in buckets { plain += Int((w.hashed[Int(b) * outputs + o] / w.hashedScale[o]).rounded()) }
                #expect(sums[o] == plain)
            }
        }
    }

    /// The batch path sums hashed codes while hashing and answers repeated words from a
    /// per-thread cache; its sums must equal, bit for bit, the sum over the recorded buckets,
    /// whatever the cache holds (first sight, repeats, a fresh scratch).
    @Test func fusedSumsWithWordCacheEqualTheGroupedSum() throws {
        let model = try Repo.defaultModel()
        let table = BatchScorer(model: model).table
        let extractor = model.extractor
        var texts = try statements()
        texts += ["Ridiculous RIDICULOUS ridiculous’s don’t DON'T", "a a a a a a", "supercalifragilisticexpialidocious words longer than sixteen bytes",
                  "#hashtag @user https://example.com 42 3.5 🙂 naïve",
                  // Marks and numbers the word cache holds too: a mark first, after a mark, after a number.
                  ", 1, 2 (3) 3 ; 3 , , - 5.5 5.5 : 2,000 2,000 \"4\" 4.", "(a) a, a. a; b, 1 1, 2 2."]
        texts += texts.reversed()
        let warm = ExtractionScratch()
        for t in texts {
            var copy = t
            let fv = extractor.extract(t)
            var codes = [Int](repeating: 0, count: 3)
            table.sum(fv.buckets, into: &codes)
            let want = (0..<3).map { HashedTable.value(codeSum: codes[$0], scale: table.scales[$0], count: fv.buckets.count) }
            for scratch in [warm, ExtractionScratch()] {
                var dense = [Float](repeating: 0, count: DenseFeature.count)
                var got = [Float](repeating: .nan, count: 3)
                copy.withUTF8 { bytes in
                    extractor.extractSummingHashed(bytes: bytes, scratch: scratch, dense: &dense, table: table, sums: &got)
                }
                #expect(got == want, "\(t)")
                #expect(dense == fv.dense, "\(t)")
            }
        }
    }

    /// The register-built key of an ASCII token equals the key of its normalized bytes, for every
    /// ASCII byte value, every length up to 16, at every offset into the buffer, and for tokens
    /// ending at or near the buffer's end (the three ways the key is loaded).
    @Test func asciiWordKeysEqualNormalizedKeys() {
        #expect(WordKey.lowerASCII(0x405A_5B61_7A41_7F00) == 0x407A_5B61_7A61_7F00)
        var rng = SplitMix64(seed: 17)
        for _ in 0..<5000 {
            let count = Int(rng.next() % 16) + 1
            let word = (0..<count).map { _ in UInt8(rng.next() % 128) }
            let lead = Int(rng.next() % 20)
            let tail = Int(rng.next() % 20)
            let bytes = (0..<lead).map { _ in UInt8(rng.next() % 256) } + word + (0..<tail).map { _ in UInt8(rng.next() % 256) }
            let token = Token(byteStart: Int32(lead), byteEnd: Int32(lead + count), charStart: 0, charEnd: Int32(count), hash: 7, kind: .word, flags: [], runLength: 0)
            var chars = [UInt8](repeating: 0, count: 64)
            for (k, b) in word.enumerated() { chars[k + 1] = b &- 0x41 < 26 ? b | 0x20 : b }
            let fast = bytes.withUnsafeBufferPointer { WordKey(asciiToken: token, in: $0) }
            let slow = chars.withUnsafeMutableBufferPointer { WordKey(normalized: $0, count: count, hash: 7) }
            #expect(fast?.lo == slow?.lo && fast?.hi == slow?.hi, "\(word) at \(lead) of \(bytes.count)")
            // Keys hold no length: a word without a NUL byte (as every token is) and its
            // proper prefixes have different keys.
            if !word.contains(0), count > 1 {
                let cut = Int(rng.next() % UInt64(count - 1)) + 1
                let prefix = Token(byteStart: Int32(lead), byteEnd: Int32(lead + cut), charStart: 0, charEnd: Int32(cut), hash: 7, kind: .word, flags: [], runLength: 0)
                let short = bytes.withUnsafeBufferPointer { WordKey(asciiToken: prefix, in: $0) }
                #expect(short != nil && (short?.lo != fast?.lo || short?.hi != fast?.hi), "\(word) cut at \(cut)")
            }
        }
        let nonASCII: [UInt8] = [0x61, 0xC3, 0xA9]
        let t = Token(byteStart: 0, byteEnd: 3, charStart: 0, charEnd: 2, hash: 1, kind: .word, flags: [], runLength: 0)
        #expect(nonASCII.withUnsafeBufferPointer { WordKey(asciiToken: t, in: $0) } == nil)
    }

    @Test func damagedOrForeignWeightsAreRejected() {
        var bytes = randomWeights().serialized()
        bytes[40] ^= 1
        #expect(throws: DataFileError(path: "w.bin", line: 0, problem: "checksum mismatch: the file is damaged")) {
            _ = try ModelWeights(bytes: bytes, path: "w.bin")
        }
        var v2 = randomWeights().serialized()
        v2[4] = 2
        #expect(throws: DataFileError(path: "w.bin", line: 0, problem: "weights file version 2 is not supported (this build reads 1 and 3)")) {
            _ = try ModelWeights(bytes: v2, path: "w.bin")
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

    /// Another format version is refused, by name; versions 2 and 3 (other term or bucket
    /// hashes) say to retrain.
    @Test(arguments: [
        (99, "model format version 99 is not supported (this build reads 4)"),
        (3, "model format version 3 is not supported (this build reads 4; version 3 hashed features into other buckets: retrain it with `rhetor train`)"),
        (2, "model format version 2 is not supported (this build reads 4; version 2 hashed features into other buckets: retrain it with `rhetor train`)"),
    ])
    func unknownFormatVersionIsRejected(version: Int, problem: String) throws {
        let dir = try tempDir()
        for f in ["manifest.json", "weights.bin"] {
            try FileManager.default.copyItem(at: Repo.model.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let url = dir.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"formatVersion\" : 4", with: "\"formatVersion\" : \(version)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: DataFileError(path: url.path, line: 0, problem: problem)) {
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
