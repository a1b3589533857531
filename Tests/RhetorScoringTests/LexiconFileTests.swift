import Foundation
import Testing
@testable import RhetorScoring

@Suite struct LexiconFileTests {
    func parse(_ text: String) throws -> LexiconFile {
        try LexiconFile(bytes: Array(text.utf8), path: "test.tsv")
    }

    func problem(_ text: String) -> DataFileError? {
        do { _ = try parse(text); return nil } catch let e as DataFileError { return e } catch { return nil }
    }

    @Test func validFileParses() throws {
        let f = try parse(lexiconText(name: "hostility", columns: "term\tcategory\tweight", rows: ["absurd\tcontempt\t1.5", "wipe out\tthreat\t2"]))
        #expect(f.rows.count == 2)
        #expect(f.rows[1].term == "wipe out" && f.rows[1].line == 9)
        #expect(f.sha256.count == 64)
        // Fields are read from the file's bytes when asked for.
        #expect(f.fields(of: f.rows[0]) == ["absurd", "contempt", "1.5"])
        #expect(f.field(f.rows[1], 1) == "threat" && f.field(f.rows[1], 2) == "2")
        #expect(try f.number(f.rows[0], 2) == 1.5 && f.number(f.rows[1], 2) == 2)
        // The term's tokens and key are the ones a statement's tokens give.
        for row in f.rows {
            #expect(Array(f.termTokens(of: row)) == PhraseKey.tokens(of: row.term))
            #expect(row.tokenCount == PhraseKey.tokens(of: row.term).count && row.key == PhraseKey.hash(of: row.term))
        }
        #expect(f.rows[1].tokenCount == 2)
    }

    @Test func lastFieldMayBeEmptyAndNonNumbersAreNamed() throws {
        let f = try parse(lexiconText(name: "v", columns: "term\tweight\tnote", rows: ["a\t1\t", "b\tx\tsome words"]))
        #expect(f.fields(of: f.rows[0]) == ["a", "1", ""])
        #expect(f.field(f.rows[1], 2) == "some words")
        #expect(throws: DataFileError(path: "test.tsv", line: 9, problem: "weight 'x' is not a number")) { try f.number(f.rows[1], 1) }
    }

    @Test func missingMagicNamesLineOne() {
        #expect(problem("term\tweight\nx\t1\n") == DataFileError(path: "test.tsv", line: 1, problem: "missing magic line '#! rhetor-lexicon 1'"))
        #expect(problem("#! rhetor-lexicon 2\n")?.problem.contains("unsupported lexicon format") == true)
    }

    @Test func missingHeader() {
        let text = "#! rhetor-lexicon 1\n# name: x\n# columns: term\tweight\nx\t1\n"
        #expect(problem(text)?.problem == "header '# version: ...' is missing")
    }

    @Test func wrongFieldCountNamesTheLine() {
        let e = problem(lexiconText(name: "v", columns: "term\tweight", rows: ["a\t1", "b\t1\textra"]))
        #expect(e?.line == 9)
        #expect(e?.problem.hasPrefix("expected 2 tab-separated fields") == true)
        #expect(e?.description.hasPrefix("test.tsv:9: ") == true)
    }

    @Test func duplicatesAndOrder() {
        #expect(problem(lexiconText(name: "v", columns: "term\tweight", rows: ["a\t1", "a\t2"])) == DataFileError(path: "test.tsv", line: 9, problem: "duplicate term 'a'"))
        #expect(problem(lexiconText(name: "v", columns: "term\tweight", rows: ["b\t1", "a\t2"]))?.problem.hasPrefix("not sorted") == true)
        // Different spelling, same tokens: "Absurd" sorts before "absurd" but matches the same.
        #expect(problem(lexiconText(name: "v", columns: "term\tweight", rows: ["Absurd\t1", "absurd\t2"]))?.problem == "term 'absurd' matches the same tokens as line 8")
    }

    @Test func blankLinesAndBadNumbers() throws {
        #expect(problem(lexiconText(name: "v", columns: "term\tweight", rows: ["a\t1", "", "b\t1"]))?.line == 9)
        let f = try parse(lexiconText(name: "v", columns: "term\tweight", rows: ["a\tabc"]))
        #expect(throws: DataFileError(path: "test.tsv", line: 8, problem: "weight 'abc' is not a number")) {
            _ = try f.number(f.rows[0], 1)
        }
    }

    @Test func invalidUTF8NamesTheLine() {
        var bytes = Array(lexiconText(name: "v", columns: "term\tweight", rows: ["a\t1"]).utf8)
        bytes += [0x62, 0xFF, 0x09, 0x31, 0x0A]
        #expect(throws: DataFileError(path: "test.tsv", line: 9, problem: "invalid UTF-8")) {
            _ = try LexiconFile(bytes: bytes, path: "test.tsv")
        }
    }

    @Test func bundledLexiconsValidate() throws {
        let set = try Repo.lexiconSet()
        #expect(set.files.keys.sorted() == ["certainty", "hostility", "modifiers", "rules", "valence"])
        #expect(set.terms.count > 7000)
        #expect(set.rules.negationScope == 3)
    }

    @Test func semanticChecksNameTheLine() throws {
        var files: [String: LexiconFile] = [:]
        for n in LexiconSet.fileNames { files[n] = try LexiconFile(contentsOf: Repo.lexicons.appendingPathComponent(n)) }
        files["hostility.tsv"] = try parse(lexiconText(name: "hostility", columns: "term\tcategory\tweight", rows: ["a\tthreat\t1", "b\trudeness\t1"]))
        #expect(throws: DataFileError(path: "test.tsv", line: 9, problem: "unknown category 'rudeness' (known: threat, insult, contempt, accusation, aggression, profanity)")) {
            _ = try LexiconSet(files: files)
        }
        files["hostility.tsv"] = try parse(lexiconText(name: "hostility", columns: "term\tcategory\tweight", rows: ["a\tthreat\t1"]))
        files["certainty.tsv"] = try parse(lexiconText(name: "certainty", columns: "term\tkind\tweight", rows: ["maybe\tbooster\t-1"]))
        #expect(throws: DataFileError(path: "test.tsv", line: 8, problem: "a booster's weight must be positive and a hedge's negative")) {
            _ = try LexiconSet(files: files)
        }
    }

    /// The fast path for lexicon weights gives exactly what `Float(String)` gives, bit for bit, on
    /// the shapes it takes (sign, up to 7 digits, up to 10 decimals) and on those it hands back.
    @Test func parseFloatMatchesFloatFromString() {
        var texts = ["0", "-0", "1", "-1.5", "0.80623", "1.4317", "4", "-4", "3.999999", "9999999", "16777215", "16777216",
                     "0.0000001", "1234567.0", "12345678", ".5", "5.", "-", "", "+1", "1e3", "1.5e-2", "inf", "nan", "0x1p3", " 1", "1 ",
                     "1.2.3", "--1", "0.1234567891", "0.12345678912", "00000001", "-0.000"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let intDigits = Int.random(in: 0...8, using: &rng), fracDigits = Int.random(in: -1...11, using: &rng)
            var t = Bool.random(using: &rng) ? "-" : ""
            for _ in 0..<intDigits { t += String(Int.random(in: 0...9, using: &rng)) }
            if fracDigits >= 0 {
                t += "."
                for _ in 0..<fracDigits { t += String(Int.random(in: 0...9, using: &rng)) }
            }
            texts.append(t)
        }
        for t in texts {
            let fast = LexiconFile.parseFloat(t), reference = Float(t)
            #expect(fast?.bitPattern == reference?.bitPattern, "\(t)")
        }
    }

    @Test func sha256Vectors() {
        // FIPS 180-4 examples.
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // FIPS 180-4 long message (many whole blocks before the padded tail).
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
