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

    @Test func stringsAreEscaped() {
        var w = JSONWriter()
        w.string("a\"b\\c\nd\te\u{01}ü")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\te\\u0001ü\"")
    }
}
