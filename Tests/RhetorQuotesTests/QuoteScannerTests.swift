import RhetorText
import Testing
@testable import RhetorQuotes

/// Each quote-mark case, in sentences written for these tests.
@Suite struct QuoteScannerTests {
    /// The quoted texts; for ASCII text also checks that the byte-skipping path finds the same
    /// spans as the character loop.
    func quotes(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        let spans = QuoteScanner.scan(scalars.map(\.value))
        if text.utf8.count == scalars.count {
            #expect(Array(text.utf8).withUnsafeBufferPointer { QuoteScanner.scan(scalars.map(\.value), asciiUTF8: $0) } == spans, "\(text)")
        }
        return spans.map { span in
            var v = String.UnicodeScalarView()
            v.append(contentsOf: scalars[span.start..<span.end])
            return String(v)
        }
    }

    /// The ASCII shortcut of `isLetterOrDigit` says what the Unicode properties say.
    @Test func asciiLetterOrDigitShortcutMatchesUnicodeProperties() {
        for c in UInt32(0)..<0x80 {
            let s = Unicode.Scalar(c)!
            #expect(QuoteScanner.isLetterOrDigit(c) == (s.properties.isAlphabetic || s.properties.numericType != nil), "U+\(String(c, radix: 16))")
        }
    }

    @Test func curlyAndStraightDoubleQuotes() {
        #expect(quotes("She said “we will win” and left.") == ["we will win"])
        #expect(quotes("She said \"we will win\" and left.") == ["we will win"])
        #expect(quotes("“One,” he said. “Two.”") == ["One,", "Two."])
    }

    @Test func guillemetsAndLowNineMarks() {
        #expect(quotes("Il a dit «non merci» hier.") == ["non merci"])
    }

    @Test func apostrophesAreNotQuotes() {
        #expect(quotes("Russia’s ministries’ services don't care.").isEmpty)
        #expect(quotes("“The ministries’ staff won’t talk,” she said.") == ["The ministries’ staff won’t talk,"])
    }

    @Test func nestedSingleQuotesStayInsideTheOuterQuote() {
        #expect(quotes("“He told me ‘never again’ twice,” she said.") == ["He told me ‘never again’ twice,"])
        #expect(quotes("\"He told me 'never again' twice,\" she said.") == ["He told me 'never again' twice,"])
    }

    @Test func topLevelSingleQuotes() {
        #expect(quotes("Leaders denounce ‘threatening’ remarks") == ["threatening"])
    }

    @Test func doubledApostrophesAreADoubleMark() {
        #expect(quotes("''We are ready,'' the mayor said.") == ["We are ready,"])
    }

    @Test func multiParagraphQuotes() {
        let text = "“The first part goes on.\n\n“The second part ends here,” she said."
        #expect(quotes(text) == ["The first part goes on.", "The second part ends here,"])
        let spans = QuoteScanner.scan(Array(text.unicodeScalars).map(\.value))
        #expect(spans[1].continuesPrevious)
    }

    @Test func unbalancedMarksRecoverAtTheParagraphEnd() {
        let text = "He said “this never closes.\nNext paragraph with “a real quote” here."
        #expect(quotes(text) == ["a real quote"])
        #expect(quotes("A stray ” closer and “fine” after.") == ["fine"])
    }

    @Test func inchMarksAreNotQuotes() {
        #expect(quotes("a 6\" pipe and a 12\" board").isEmpty)
    }

    @Test func manyMarksStayLinear() {
        // 20,000 marks of every kind; the scan must finish and find the balanced ones.
        var text = ""
        for i in 0..<5_000 { text += "He said “word \(i)” and \"x\" ‘y’ " }
        let found = QuoteScanner.scan(Array(text.unicodeScalars).map(\.value))
        #expect(found.count == 15_000)
        let stray = String(repeating: "“ ", count: 20_000) + "\nThen “ok then.”"
        let found2 = quotes(stray)
        #expect(found2.count == 1 && found2.first == "ok then.", "\(found2.count) quotes")
    }
}

/// The ASCII path (runs skipped 16 bytes at a time) against the character loop on random ASCII
/// texts dense in marks, line feeds and apostrophes, under both kernels.
@Suite struct QuoteScannerASCIIPathTests {
    @Test func asciiPathFindsTheSameSpans() {
        let pieces = ["a", "Z", "7", " ", "\n", "\n\n", "\"", "'", "''", "(", ":", "-", "/", ".", ",", "said", "it's", "6'",
                      "He said \"", "\" he said.", " 'word' ", String(repeating: "x", count: 40)]
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<5000 {
            let text = (0..<Int(rng.next() % 24)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let scalars = text.unicodeScalars.map(\.value)
            let want = QuoteScanner.scan(scalars)
            let got = Array(text.utf8).withUnsafeBufferPointer { QuoteScanner.scan(scalars, asciiUTF8: $0) }
            #expect(got == want, "\(text)")
        }
    }
}

/// The byte pre-check that lets articles without quote marks skip all analysis must never say
/// "no quotes" for a text the scanner finds a quote in.
@Suite struct QuotePrecheckTests {
    @Test func noQuotesOnlyWhenTheScannerFindsNone() {
        let pieces = ["a", "Z", "7", " ", "\n", "\n\n", "\"", "'", "''", "“", "”", "‘", "’", "„", "‚", "‟", "«", "»", "(", ":", "—", "-", "/",
                      "é", "it's", "don’t", "O'Brien", "6'", "x", ".", ","]
        var rng = SplitMix64(seed: 77)
        var skipped = 0
        for _ in 0..<20000 {
            let text = (0..<Int(rng.next() % 14)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            var copy = text
            let may = copy.withUTF8(QuoteScanner.mayHaveQuotes)
            if !may {
                skipped += 1
                #expect(QuoteScanner.scan(text.unicodeScalars.map { $0.value }).isEmpty, "\(text)")
            }
        }
        #expect(skipped > 1000, "the pre-check should rule out many texts")
        var plain = "It's a plain report: no quote here, O'Brien's don’t."
        let plainMay = plain.withUTF8(QuoteScanner.mayHaveQuotes)
        #expect(!plainMay)
        var quoted = "He said 'no' twice."
        let quotedMay = quoted.withUTF8(QuoteScanner.mayHaveQuotes)
        #expect(quotedMay)
    }
}
