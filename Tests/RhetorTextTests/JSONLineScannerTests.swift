import Foundation
import Testing
@testable import RhetorText

/// The Foundation-free JSON Lines reader: values, errors with byte positions, and agreement with
/// `JSONSerialization` on generated lines, valid and broken.
@Suite struct JSONLineScannerTests {
    let scanner = JSONLineScanner(keys: ["text", "id", "date"])

    func scan(_ line: String) -> (JSONLineScanner.Failure?, [JSONLineScanner.Value?], [UInt8]) {
        var values: [JSONLineScanner.Value?] = []
        var arena: [UInt8] = []
        let bytes = Array(line.utf8)
        let f = bytes.withUnsafeBufferPointer { scanner.scan($0, values: &values, arena: &arena) }
        return (f, values, arena)
    }

    func text(_ v: JSONLineScanner.Value?, _ arena: [UInt8]) -> String? {
        switch v {
        case .string(let r), .number(let r): String(decoding: arena[r], as: UTF8.self)
        default: nil
        }
    }

    @Test func fieldsAndEscapes() {
        let (f, v, a) = scan(#" {"id": 12.5e3, "skip": {"a": [1, {"b": null}], "c": "x\"y"}, "text": "He said \"no\" \\ \u00e9\ud83d\ude00\n\t", "date": null} "#)
        #expect(f == nil)
        #expect(text(v[0], a) == "He said \"no\" \\ é😀\n\t")
        #expect(v[1] == .number(v[1].flatMap { if case .number(let r) = $0 { r } else { nil } }!))
        #expect(text(v[1], a) == "12.5e3")
        #expect(v[2] == .null)
        let (_, last, la) = scan(#"{"text":"a","text":"b"}"#)
        #expect(text(last[0], la) == "b", "the last of repeated keys wins")
        let (_, lone, lo) = scan(#"{"text":"\ud800x\udc00"}"#)
        #expect(text(lone[0], lo) == "\u{FFFD}x\u{FFFD}", "lone surrogates become U+FFFD")
    }

    @Test func failuresSayWhatAndWhere() {
        #expect(scan("").0 == .empty)
        #expect(scan("  \t").0 == .empty)
        #expect(scan("[1,2]").0 == .notObject)
        #expect(scan("\"text\"").0 == .notObject)
        #expect(scan("{\"text\": \"a\",}").0 == .broken("expected a string key", at: 13))
        #expect(scan("{\"text\" \"a\"}").0 == .broken("expected ':'", at: 8))
        #expect(scan("{\"text\": \"a\"} x").0 == .broken("expected the end of the line after the object", at: 14))
        #expect(scan("{\"text\": \"a").0 == .broken("unterminated string", at: 11))
        #expect(scan("{\"text\": 01}").0 == .broken("expected ',' or '}'", at: 10))
        #expect(scan("{\"text\": \"\\q\"}").0 == .broken("unknown escape", at: 10))
        #expect(scan("{\"text\": tru}").0 == .broken("expected a value", at: 9))
        #expect(scan("{\"a\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}").0
                == .broken("nesting deeper than 512", at: 517))
        #expect(JSONLineScanner.Failure.broken("expected ':'", at: 8).description == "broken JSON: expected ':' at byte 9")
        var values: [JSONLineScanner.Value?] = []
        var arena: [UInt8] = []
        let bad: [UInt8] = [0x7B, 0x22, 0x74, 0xFF, 0x22, 0x3A, 0x31, 0x7D]
        #expect(bad.withUnsafeBufferPointer { scanner.scan($0, values: &values, arena: &arena) } == .invalidUTF8)
    }

    @Test func utf8ValidationMatchesTheStandardLibrary() {
        var rng = SplitMix64(seed: 99)
        let pieces: [[UInt8]] = [[0x61], [0xC3, 0xA9], [0xE2, 0x80, 0x99], [0xF0, 0x9F, 0x98, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF],
                                 [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF], [0xC3], [0xE2, 0x80], [0xF0, 0x9F, 0x98]]
        for _ in 0..<5000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 8) { bytes += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let want = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } == want, "\(bytes)")
        }
    }

    /// Lines built from valid pieces, then cut or corrupted at random: the scanner accepts exactly
    /// the lines JSONSerialization reads as an object, and reads the same text.
    @Test func agreesWithJSONSerialization() throws {
        var rng = SplitMix64(seed: 2026)
        let strings = [#""plain""#, #""esc \" \\ \/ \n \u00e9 \ud83d\ude00""#, #""""#, #""naïve ☃""#]
        let values = ["1", "-0.5e+3", "true", "null", "[1, [2, {\"x\": []}]]", "{}", "{\"k\": \"v\"}"] + strings
        for _ in 0..<3000 {
            var fields: [String] = []
            for _ in 0..<Int(rng.next() % 4) {
                fields.append("\"k\(rng.next() % 3)\": " + values[Int(rng.next() % UInt64(values.count))])
            }
            fields.insert("\"text\": " + strings[Int(rng.next() % UInt64(strings.count))], at: Int(rng.next() % UInt64(fields.count + 1)))
            var line = Array(("{" + fields.joined(separator: rng.next() % 2 == 0 ? "," : " , ") + "}").utf8)
            switch rng.next() % 4 {
            case 0: line.removeLast(Int(rng.next() % UInt64(line.count)))
            case 1:
                let junk = Array("{}[]:,\"\\ 0ex".utf8)
                line[Int(rng.next() % UInt64(line.count))] = junk[Int(rng.next() % UInt64(junk.count))]
            default: break
            }
            var vals: [JSONLineScanner.Value?] = []
            var arena: [UInt8] = []
            let failure = line.withUnsafeBufferPointer { scanner.scan($0, values: &vals, arena: &arena) }
            let foundation = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
            let lineText = String(decoding: line, as: UTF8.self)
            if let dict = foundation as? [String: Any] {
                #expect(failure == nil, "\(lineText)")
                if let t = dict["text"] as? String {
                    #expect(text(vals[0], arena) == t, "\(lineText)")
                }
            } else if foundation != nil {
                #expect(failure == .notObject, "\(lineText)")
            } else if !line.allSatisfy({ $0 == 0x20 }) {
                // The one deliberate difference: a lone surrogate escape reads as U+FFFD (as in
                // Python's json), where JSONSerialization rejects the line.
                let surrogate = lineText.range(of: #"\\u[dD][89a-fA-F]"#, options: .regularExpression) != nil
                #expect(failure != nil || surrogate, "\(lineText)")
            }
        }
    }
}
