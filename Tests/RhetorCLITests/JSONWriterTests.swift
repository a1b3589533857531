import Testing
@testable import Rhetor
import RhetorText

@Suite struct JSONWriterTests {
    @Test func fixedPointNumbers() {
        let cases: [(Double, Int, String)] = [
            (0.30100, 4, "0.301"), (-0.00004, 4, "0"), (1, 4, "1"), (12.5, 4, "12.5"), (-0.5, 4, "-0.5"),
            (0.0001, 4, "0.0001"), (0.99999, 4, "1"), (-123.456789, 6, "-123.456789"), (2.5, 0, "3"),
            (0.1234567, 6, "0.123457"), (1e300, 4, "1e+300"), (.nan, 4, "null"), (-0.0, 4, "0"), (10, 4, "10"), (100.05, 2, "100.05"),
        ]
        for (x, d, want) in cases {
            #expect(JSONWriter.format(x, decimals: d) == want, "\(x) with \(d) decimals")
        }
    }

    /// The 4-decimal shortcut for scores in -1...1 writes what the general fixed-point path does.
    @Test func fourDecimalShortcutMatchesTheGeneralPath() {
        var values: [Double] = [0, -0.0, 1, -1, 0.99995, -0.99995, 0.999949, 0.00005, -0.00005, 0.000049, 0.5, -0.25, 1.00004, -1.00005, 0.99999999]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 { values.append(Double.random(in: -1.2...1.2, using: &rng)) }
        for k in -10_500...10_500 { values.append(Double(k) / 10_000 + 0.00005) }
        var a = [UInt8](repeating: 0, count: 64), b = [UInt8](repeating: 0, count: 64)
        let pairs = JSONWriter.digitTables.pairs
        for x in values {
            let n = a.withUnsafeMutableBufferPointer { JSONWriter.writeFixed4(x, to: $0.baseAddress!) }
            let m = b.withUnsafeMutableBufferPointer { JSONWriter.writeFixed(x, scale: 10_000, decimals: 4, to: $0.baseAddress!) }
            #expect(Array(a[..<n]) == Array(b[..<m]), "\(x)")
            // The packed form the batch writer stores: the same bytes, for every score in -1...1.
            let packed = JSONWriter.fixed4Word(x, pairs: pairs)
            #expect((packed != nil) == (x.magnitude <= 1), "\(x)")
            if let packed {
                let bytes = withUnsafeBytes(of: packed.word.littleEndian) { Array($0) }
                #expect(packed.length <= 7, "\(x)")
                #expect(Array(bytes[..<packed.length]) == Array(b[..<m]), "\(x)")
            }
        }
        for x in [Double.nan, .infinity, -.infinity, 1.5, -2] { #expect(JSONWriter.fixed4Word(x, pairs: pairs) == nil, "\(x)") }
    }

    /// Both string writers (the JSONWriter's, which copies runs found 16 bytes at a time past
    /// 16 bytes, and the line cursor's) write what the plain byte-by-byte escape writes: every
    /// escaped byte in every position of strings of every length from 0 to 80, and random text
    /// of quotes, backslashes, control bytes, ASCII and multi-byte characters.
    @Test func stringWritersMatchTheByteByByteEscape() {
        func reference(_ s: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            JSONWriter.escape(s) { out.append($0) }
            return out + [0x22]
        }
        func check(_ s: String) {
            var w = JSONWriter()
            w.raw("x")
            w.string(s)
            #expect(w.bytes == [0x78] + reference(s), "\(Array(s.utf8))")
            let room = 2 + 6 * s.utf8.count
            let fromCursor = [UInt8](unsafeUninitializedCapacity: room) { buffer, written in
                var c = LineCursor(base: buffer.baseAddress!, capacity: room)
                c.string(s)
                #expect(!c.overflowed)
                written = c.count
            }
            #expect(fromCursor == reference(s), "\(Array(s.utf8))")
        }
        let special: [Unicode.Scalar] = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "“"]
        for length in 0...80 {
            check(String(repeating: "a", count: length))
            for position in 0..<length {
                for c in special {
                    var scalars = [Unicode.Scalar](repeating: "a", count: length)
                    scalars[position] = c
                    check(String(String.UnicodeScalarView(scalars)))
                }
            }
        }
        var rng = SplitMix64(seed: 24)
        let alphabet: [Unicode.Scalar] = special + ["a", "Z", " ", "0", "/", "’", "\u{1F600}"]
        for _ in 0..<2_000 {
            let length = Int(rng.next() % 200)
            let scalars = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            check(String(String.UnicodeScalarView(scalars)))
        }
    }

    /// Score lines from their pieces: line numbers on both sides of `packedDigitsLimit`, ids
    /// that are the line number or not, packed scores and one the general writer writes.
    @Test func scoreLinesOnBothSidesOfThePackedLimit() {
        let keys = [",\"hostility\":", ",\"valence\":", ",\"other\":"].map { Array($0.utf8) }
        let end = Array(",\"model\":\"m\"}\n".utf8)
        let pieces = ScoreLinePieces(keys: keys, end: end, endBeforeBrace: end.count - 2)
        let digits = JSONWriter.digitTables
        let packed = [0.25, -1, 1.5].map { ScoreLinePieces.PackedScore($0, pairs: digits.pairs) }
        for line in [1, 10, 99_999_999, 100_000_000, 123_456_789_012] {
            for idIsLine in [true, false] {
                var buffer = [UInt8](repeating: 0, count: 512)
                let n = buffer.withUnsafeMutableBufferPointer { b in
                    packed.withUnsafeBufferPointer { s in
                        pieces.writeLine(to: b.baseAddress!, line: line, idIsLine: idIsLine, digits: digits,
                                         writeID: { p in p[0] = 0x37; return 1 }, scores: s.baseAddress!)
                    }
                }
                let id = idIsLine ? String(line) : "7"
                #expect(String(decoding: buffer[..<n], as: UTF8.self)
                        == "{\"line\":\(line),\"id\":\(id),\"hostility\":0.25,\"valence\":-1,\"other\":1.5,\"model\":\"m\"}\n")
            }
        }
    }

    /// Line numbers packed in a word (`packedDigits`) against `String`, at every power of ten
    /// and its neighbours below the limit, and at random.
    @Test func packedDigitsMatchString() {
        var values: [UInt64] = [0, 1, 9, 10, 99, 100, JSONWriter.packedDigitsLimit - 1]
        var p: UInt64 = 1
        for _ in 0..<8 { p *= 10; values += [p - 1, p, p + 1].filter { $0 < JSONWriter.packedDigitsLimit } }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 { values.append(UInt64.random(in: 0..<JSONWriter.packedDigitsLimit, using: &rng) >> UInt64.random(in: 0...26, using: &rng)) }
        for v in values {
            let packed = JSONWriter.packedDigits(v, tables: JSONWriter.digitTables)
            let bytes = withUnsafeBytes(of: packed.word.littleEndian) { Array($0) }
            #expect(String(decoding: bytes[..<packed.count], as: UTF8.self) == String(v), "\(v)")
            #expect(bytes[packed.count...].allSatisfy { $0 == 0 }, "\(v)")
        }
    }

    /// Integers and zero-padded digit runs against `String`, at every power of ten and its
    /// neighbours, up to `UInt64.max` and `Int.min`, and at random.
    @Test func integersAndDigitRuns() {
        var values: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 101, UInt64.max, UInt64.max - 1]
        var p: UInt64 = 1
        for _ in 0..<19 { p *= 10; values += [p - 1, p, p + 1] }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50_000 { values.append(UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)) }
        var buffer = [UInt8](repeating: 0, count: 64)
        for v in values {
            for minimum in [1, 4, 12, 20] {
                let n = buffer.withUnsafeMutableBufferPointer { JSONWriter.writeDigits(v, minimumCount: minimum, to: $0.baseAddress!) }
                let plain = String(v)
                let want = String(repeating: "0", count: max(0, minimum - plain.count)) + plain
                #expect(String(decoding: buffer[..<n], as: UTF8.self) == want, "\(v) padded to \(minimum)")
            }
            let signed = Int(truncatingIfNeeded: v)
            for n in [signed, signed == Int.min ? Int.min : -signed] {
                let k = buffer.withUnsafeMutableBufferPointer { LineCursor.writeInteger(n, to: $0.baseAddress!) }
                #expect(String(decoding: buffer[..<k], as: UTF8.self) == String(n))
            }
        }
    }

    @Test func stringsAreEscaped() {
        var w = JSONWriter()
        w.string("a\"b\\c\nd\te\u{01}ü")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\te\\u0001ü\"")
    }
}
