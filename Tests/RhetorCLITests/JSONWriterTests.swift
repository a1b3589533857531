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

    @Test func stringsAreEscaped() {
        var w = JSONWriter()
        w.string("a\"b\\c\nd\te\u{01}ü")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\te\\u0001ü\"")
    }
}
