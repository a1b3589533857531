import Testing
@testable import Rhetor

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
        for x in values {
            let n = a.withUnsafeMutableBufferPointer { JSONWriter.writeFixed4(x, to: $0.baseAddress!) }
            let m = b.withUnsafeMutableBufferPointer { JSONWriter.writeFixed(x, scale: 10_000, decimals: 4, to: $0.baseAddress!) }
            #expect(Array(a[..<n]) == Array(b[..<m]), "\(x)")
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
