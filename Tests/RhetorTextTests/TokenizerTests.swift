import Foundation
import Testing
@testable import RhetorText

/// The text of a token by its code-point offsets, as Python's `text[start:end]` would give it.
func slice(_ text: String, _ t: Token) -> String {
    let scalars = Array(text.unicodeScalars)
    var v = String.UnicodeScalarView()
    v.append(contentsOf: scalars[Int(t.charStart)..<Int(t.charEnd)])
    return String(v)
}

func texts(_ s: String) -> [String] {
    Tokenizer().tokenize(s).map { slice(s, $0) }
}

@Suite struct TokenizerTests {
    @Test func wordsAndPunctuation() {
        #expect(texts("Hello, world.") == ["Hello", ",", "world", "."])
    }

    @Test func contractionsSplitPennStyle() {
        #expect(texts("don't can't it's they're I'm we've he'd you'll") ==
            ["do", "n't", "ca", "n't", "it", "'s", "they", "'re", "I", "'m", "we", "'ve", "he", "'d", "you", "'ll"])
        // Curly apostrophes behave the same and normalize to the same hash.
        let curly = Tokenizer().tokenize("don’t")
        let straight = Tokenizer().tokenize("don't")
        #expect(curly.map(\.hash) == straight.map(\.hash))
        #expect(curly[1].kind == .clitic)
    }

    @Test func possessivesAndNames() {
        #expect(texts("Russia’s ministries’ services") == ["Russia", "’s", "ministries", "’", "services"])
        #expect(texts("O'Brien rock'n'roll") == ["O'Brien", "rock'n'roll"])
    }

    @Test func hyphensJoinWordsButDashesStandAlone() {
        let toks = Tokenizer().tokenize("a so-called deal -- or not")
        #expect(toks.map { $0.flags.contains(.hyphenated) } == [false, true, false, false, false, false])
        #expect(texts("a so-called deal -- or not") == ["a", "so-called", "deal", "--", "or", "not"])
    }

    @Test func allCapsAndCapitalized() {
        let toks = Tokenizer().tokenize("NEVER Again I")
        #expect(toks[0].flags.contains(.allCaps))
        #expect(!toks[1].flags.contains(.allCaps) && toks[1].flags.contains(.capitalized))
        #expect(!toks[2].flags.contains(.allCaps), "a single capital letter is not ALL CAPS")
        #expect(toks[0].hash == Tokenizer().tokenize("never")[0].hash)
    }

    @Test func punctuationRunsAreOneToken() {
        let toks = Tokenizer().tokenize("What?!! No!!! Wait...")
        #expect(texts("What?!! No!!! Wait...") == ["What", "?!!", "No", "!!!", "Wait", "..."])
        #expect(toks[1].kind == .emphasis && toks[1].runLength == 3)
        #expect(toks[1].flags.contains(.question) && toks[1].flags.contains(.exclamation))
        #expect(toks[3].runLength == 3 && !toks[3].flags.contains(.question))
    }

    @Test func numbersKeepSeparators() {
        #expect(texts("3,000.50 people") == ["3,000.50", "people"])
        #expect(Tokenizer().tokenize("3,000.50")[0].kind == .number)
    }

    @Test func emojiSequencesAreOneToken() {
        let s = "ok 👍🏽 👨‍👩‍👧 🇫🇷!"
        #expect(texts(s) == ["ok", "👍🏽", "👨‍👩‍👧", "🇫🇷", "!"])
        #expect(Tokenizer().tokenize(s)[1].kind == .emoji)
    }

    @Test func urlsAndMentions() {
        let toks = Tokenizer().tokenize("@USER see https://example.org/a?b=1 now")
        #expect(toks.map(\.kind) == [.mention, .word, .url, .word])
        #expect(toks[0].hash == Tokenizer().tokenize("@someone")[0].hash)
    }

    @Test func byteAndCharacterOffsetsAgree() {
        let s = "Macron: “bizarre” — über 😀 done"
        let bytes = Array(s.utf8)
        for t in Tokenizer().tokenize(s) {
            let fromBytes = String(decoding: bytes[Int(t.byteStart)..<Int(t.byteEnd)], as: UTF8.self)
            #expect(fromBytes == slice(s, t))
        }
        #expect(texts(s) == ["Macron", ":", "“", "bizarre", "”", "—", "über", "😀", "done"])
    }

    @Test func invalidUTF8BecomesFlaggedTokensWithReplacementOffsets() {
        // 0xFF is never valid; E2 80 is a truncated 3-byte sequence (one replacement character).
        let bytes: [UInt8] = Array("ab ".utf8) + [0xFF] + Array(" c".utf8) + [0xE2, 0x80] + Array("d".utf8)
        let toks = Tokenizer().tokenize(bytes)
        #expect(toks.map(\.kind) == [.word, .invalid, .word, .invalid, .word])
        // Code-point offsets match the string decoded with replacement characters.
        let decoded = String(decoding: bytes, as: UTF8.self)
        #expect(decoded.unicodeScalars.count == 8)
        #expect(toks.map(\.charStart) == [0, 3, 5, 6, 7])
        #expect(toks[3].byteEnd - toks[3].byteStart == 2)
    }

    @Test func randomBytesNeverFailAndTokensTileInOrder() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let n = Int.random(in: 0..<200, using: &rng)
            let bytes = (0..<n).map { _ in round % 2 == 0 ? UInt8.random(in: 0...255, using: &rng) : [0x20, 0x61, 0x27, 0xE2, 0x80, 0x99, 0x21, 0xF0, 0x9F, 0x98, 0x80, 0x41].randomElement(using: &rng)! }
            let toks = Tokenizer().tokenize(bytes)
            let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars.count
            var lastByte: Int32 = 0
            var lastChar: Int32 = 0
            for t in toks {
                #expect(t.byteStart >= lastByte && t.byteEnd > t.byteStart && Int(t.byteEnd) <= n)
                // No token holds a NUL byte (a control byte, skipped like a space): the scorer's
                // word cache keys words by their zero-padded bytes alone.
                #expect(!bytes[Int(t.byteStart)..<Int(t.byteEnd)].contains(0))
                #expect(t.charStart >= lastChar && t.charEnd > t.charStart && Int(t.charEnd) <= scalars)
                lastByte = t.byteEnd
                lastChar = t.charEnd
            }
        }
    }
}

/// The one-pass ASCII path (words, spaces, lone punctuation marks) against the general rules, on
/// random mixes of the bytes where they differ (letters, digits, apostrophes, hyphens, `.`, `,`,
/// `:`, `/`, `@`, quotes, brackets and other marks alone and in runs, curly quotes, invalid
/// bytes) and on real sentences.
@Suite struct TokenizerFastPathTests {
    static let pieces = ["a", "B", "z", "Q", "0", "7", "'", "’", "-", ".", ",", ":", "/", "@", " ", "!", "?", "é", "\u{1F600}",
                      "http://x.y", "www.", "n't", "'s", "3,000", "2.5", "U.S.", "e-mail", "ALL", "McDonald",
                      "hello", "What", "W", "h", "\t", "\n", "\r", "\u{0}", "\u{1F}", "\u{7F}", "{", "`", "[", "ABC1", "x9", "Extraordinarily",
                      "\"", "(", ")", ";", "...", "$", "%", "&", "*", "~",
                      // Words around the fast path's 8-byte chunks.
                      "abcdefg", "abcdefgh", "ABCDEFGHI", "Internationalization", "MULTINATIONALS", "x1234567890123456",
                      // Contractions the fast path splits itself, and near misses it leaves alone.
                      "'re", "'ll", "'d", "'M", "N'T", "'S", "'VE", "don", "can", "1990", "'t", "'st", "'sa", "o'"]

    @Test func fastPathMatchesTheGeneralRules() {
        let pieces = Self.pieces
        var rng = SplitMix64(seed: 41)
        let fast = Tokenizer(), general = Tokenizer(plainASCIIFastPath: false)
        // The fast path with the SWAR kernel's scalar twin (what RHETOR_SCALAR_KERNELS=1 selects).
        let scalar = Tokenizer(plainASCIIFastPath: true, scalarKernels: true)
        var texts = ["The U.S. said it won't pay $3,000.50 for e-mail at www.example.com, ALL CAPS!", "rock'n'roll 1990s 24/7 A-1 x86-64",
                     "the company's shares, DON'T they'll I'm we'd you've 1990's Kuwait's", "can't", "x's"]
        for _ in 0..<3000 {
            texts.append((0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
        }
        for t in texts {
            #expect(fast.tokenize(t) == general.tokenize(t), "\(t)")
            #expect(scalar.tokenize(t) == general.tokenize(t), "\(t)")
        }
        // Real news text when ../shared is beside the repository (skipped in a user's clone).
        let reuters = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/corpora/reuters21578/reuters21578.jsonl")
        if let data = try? Data(contentsOf: reuters) {
            for line in data.split(separator: 0x0A).prefix(3000) {
                guard let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let t = o["text"] as? String else { continue }
                #expect(fast.tokenize(t) == general.tokenize(t), "\(t.prefix(80))")
            }
        }
        var bytes: [UInt8] = []
        let alphabet: [UInt8] = [0x61, 0x41, 0x31, 0x27, 0x2D, 0x2E, 0x2C, 0x20, 0x0A, 0x09, 0x01, 0xE2, 0x80, 0x99, 0xFF]
        for _ in 0..<20000 { bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        #expect(fast.tokenize(bytes) == general.tokenize(bytes))
    }
}

/// The reusable token buffer: it grows past its capacity without losing tokens, and a reused
/// buffer holds only the last statement's tokens.
@Suite struct TokenBufferTests {
    @Test func growsAndIsReused() {
        let long = String(repeating: "Word, 12 ‘ok’ don't! ", count: 200)
        let buffer = TokenBuffer(capacity: 16)
        var copy = long
        copy.withUTF8 { Tokenizer().tokenize($0, into: buffer) }
        let expected = Tokenizer().tokenize(long)
        #expect(buffer.count == expected.count)
        #expect(Array(buffer.tokens) == expected)
        #expect(expected.count > 1000)
        var short = "A short one."
        short.withUTF8 { Tokenizer().tokenize($0, into: buffer) }
        #expect(Array(buffer.tokens) == Tokenizer().tokenize("A short one."))
    }

    /// `tokenize` into an array writes into the array's storage, sized at a token per four
    /// bytes; texts denser in tokens (one a byte, "a,a,…") regrow into the buffer's own memory.
    /// Both give the tokens an owned, large enough buffer gives.
    @Test func arraysMatchAnOwnedBufferWhenTheyRegrow() {
        for text in ["a,", "a, ", "Word, 12 ‘ok’ don't! "].flatMap({ unit in [1, 7, 60, 500].map { String(repeating: unit, count: $0) } }) {
            var copy = text
            let owned = TokenBuffer(capacity: text.utf8.count + 16)
            copy.withUTF8 { Tokenizer().tokenize($0, into: owned) }
            #expect(Tokenizer().tokenize(text) == Array(owned.tokens), "\(text.prefix(20)) × \(text.utf8.count)")
        }
        var storage = [Token](repeating: Tokenizer().tokenize("x")[0], count: 16)
        storage.withUnsafeMutableBufferPointer { lent in
            let borrowed = TokenBuffer(borrowing: lent.baseAddress!, capacity: 16)
            var text = String(repeating: "a,", count: 40)
            text.withUTF8 { Tokenizer().tokenize($0, into: borrowed) }
            #expect(borrowed.ownsTokens && borrowed.count == 80)
            #expect(Array(borrowed.tokens) == Tokenizer().tokenize(text))
        }
    }

    /// The lowered bytes the plain-word path leaves beside a token are exactly the token's
    /// bytes with A-Z lower-cased, zero-padded to 16 (the walk keys its word cache on them in
    /// place of reading the word again); tokens the general rules make carry none.
    @Test func loweredBytesAreTheTokensBytesLowerCased() {
        var rng = SplitMix64(seed: 43)
        var texts = ["Hello World again", "The U.S. said it won't pay $3,000.50 for e-mail, ALL CAPS!", "the company's DON'T Extraordinarily"]
        for _ in 0..<3000 {
            texts.append((0..<Int(rng.next() % 12)).map { _ in TokenizerFastPathTests.pieces[Int(rng.next() % UInt64(TokenizerFastPathTests.pieces.count))] }.joined())
        }
        let fast = Tokenizer(), general = Tokenizer(plainASCIIFastPath: false)
        let fastBuffer = TokenBuffer(), generalBuffer = TokenBuffer(capacity: 16)
        var keyed = 0
        for text in texts {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { b in
                fast.tokenize(b, into: fastBuffer)
                for (t, lowered) in zip(fastBuffer.tokens, fastBuffer.lowered) where lowered != .absent {
                    keyed += 1
                    let word = b[Int(t.byteStart)..<Int(t.byteEnd)].map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
                    #expect(word.count <= 15 && (t.kind == .word || t.kind == .number || (t.kind == .punct && word.count == 1)), "\(text)")
                    var packed = [UInt8](repeating: 0, count: 16)
                    packed.replaceSubrange(0..<min(16, word.count), with: word.prefix(16))
                    let lo = packed[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
                    let hi = packed[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
                    #expect(lowered == LoweredBytes(lo: lo, hi: hi), "\(text): \(String(decoding: word, as: UTF8.self))")
                }
                general.tokenize(b, into: generalBuffer)
                #expect(generalBuffer.lowered.allSatisfy { $0 == .absent }, "\(text)")
            }
        }
        // Every word of the first text is plain.
        let first = Array(texts[0].utf8)
        first.withUnsafeBufferPointer { fast.tokenize($0, into: fastBuffer) }
        #expect(fastBuffer.lowered.allSatisfy { $0 != .absent })
        #expect(keyed > 1_000)
    }
}
