import _RhetorKernels

/// Splits UTF-8 bytes into tokens with byte and character offsets. Never fails.
///
/// Rules, in order of precedence at each position:
/// - whitespace (ASCII and Unicode spaces) separates tokens and is dropped;
/// - `http://`, `https://`, `www.` start a URL token that runs to the next whitespace;
/// - `@` followed by a word character starts a mention;
/// - letters and digits start a word; a word continues over letters, digits, an apostrophe (`'` or
///   `’`) followed by a letter, and a hyphen followed by a letter or digit. A final `n't`, `'s`,
///   `'re`, `'ve`, `'ll`, `'d` or `'m` is split off as a clitic (Penn Treebank style: `don't` is
///   `do` + `n't`, `can't` is `ca` + `n't`). A word of digits and `.`/`,` is a number;
/// - a run of `!` and `?` is one emphasis token; a run of one repeated punctuation mark is one token;
/// - emoji absorb variation selectors, skin tones, keycaps and zero-width-joined emoji;
/// - a maximal invalid UTF-8 subpart is one `.invalid` token (one replacement character).
public struct Tokenizer: Sendable {
    /// False only in tests: every word then goes through the general rules, which the one-pass
    /// ASCII fast path must reproduce token for token.
    let plainASCIIFastPath: Bool

    public init() { plainASCIIFastPath = true }

    init(plainASCIIFastPath: Bool) { self.plainASCIIFastPath = plainASCIIFastPath }

    /// Tokenizes a string.
    public func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var copy = text
        copy.withUTF8 { tokenize($0, into: &tokens) }
        return tokens
    }

    /// Tokenizes bytes (valid UTF-8 or not).
    public func tokenize(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        bytes.withUnsafeBufferPointer { tokenize($0, into: &tokens) }
        return tokens
    }

    /// Tokenizes bytes, appending to `tokens` (which is emptied first) so its storage is reused.
    ///
    /// - Complexity: O(n) in the number of bytes.
    public func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [Token]) {
        tokens.removeAll(keepingCapacity: true)
        var scanner = Scanner(bytes: bytes, fastPath: plainASCIIFastPath)
        scanner.run(into: &tokens)
    }
}

/// The state of one tokenizing pass.
private struct Scanner {
    let p: UnsafeBufferPointer<UInt8>
    let n: Int
    var i = 0
    var chars = 0
    /// The byte-class table, held here so the hot loop does not re-check the global's lazy
    /// initialization (`swift_once`) on every byte.
    let table: [ByteClass]
    let fastPath: Bool

    init(bytes: UnsafeBufferPointer<UInt8>, fastPath: Bool) {
        p = bytes
        n = bytes.count
        table = ByteClass.table
        self.fastPath = fastPath
    }

    @inline(__always) func cls(_ j: Int) -> ByteClass {
        table[Int(p[j])]
    }

    mutating func run(into tokens: inout [Token]) {
        while i < n {
            let c = cls(i)
            switch c {
            case .space, .control:
                i += 1
                chars += 1
            case .upper, .lower, .digit:
                if startsURL() { scanURL(into: &tokens) } else { scanWord(into: &tokens) }
            case .bang:
                scanEmphasis(into: &tokens)
            case .apostrophe, .hyphen, .punct:
                if p[i] == 0x40, i + 1 < n, isWordStart(at: i + 1) {
                    scanMention(into: &tokens)
                } else {
                    scanPunctRun(into: &tokens)
                }
            case .nonASCII:
                let s = UTF8Scalar.decode(p, at: i)
                guard s.valid else {
                    emit(.invalid, i, i + s.length, chars, chars + 1, hash: TermHash.term([0xEF, 0xBF, 0xBD]), flags: .nonASCII, into: &tokens)
                    i += s.length
                    chars += 1
                    continue
                }
                switch UnicodeClass.of(s.value) {
                case .space:
                    i += s.length
                    chars += 1
                case .letter:
                    scanWord(into: &tokens)
                case .emoji:
                    scanEmoji(into: &tokens)
                case .punct, .apostrophe:
                    let start = i
                    i += s.length
                    chars += 1
                    let h = TermHash.term(Normalizer.normalize(Array(p[start..<i])))
                    emit(.punct, start, i, chars - 1, chars, hash: h, flags: .nonASCII, into: &tokens)
                case .joiner:
                    i += s.length
                    chars += 1
                }
            }
        }
    }

    // MARK: - Character tests

    /// True when a word may start at `j`: an ASCII letter or digit, or a non-ASCII letter.
    func isWordStart(at j: Int) -> Bool {
        guard j < n else { return false }
        switch cls(j) {
        case .upper, .lower, .digit: return true
        case .nonASCII:
            let s = UTF8Scalar.decode(p, at: j)
            return s.valid && UnicodeClass.of(s.value) == .letter
        default: return false
        }
    }

    /// The length of an apostrophe at `j` (`'` is 1, U+2019/U+2018 are 3), or 0 if none is there.
    func apostropheLength(at j: Int) -> Int {
        guard j < n else { return 0 }
        if p[j] == 0x27 { return 1 }
        if p[j] == 0xE2, j + 2 < n, p[j + 1] == 0x80, p[j + 2] == 0x99 || p[j + 2] == 0x98 { return 3 }
        return 0
    }

    func startsURL() -> Bool {
        // Every URL prefix starts with h or w: most words leave here.
        let first = p[i] | 0x20
        guard first == 0x68 || first == 0x77 else { return false }
        func has(_ prefix: StaticString) -> Bool {
            let len = prefix.utf8CodeUnitCount
            guard i + len <= n else { return false }
            return prefix.withUTF8Buffer { pre in
                for k in 0..<len where (p[i + k] | 0x20) != pre[k] { return false }
                return true
            }
        }
        return has("http://") || has("https://") || has("www.")
    }

    // MARK: - Scanners

    mutating func scanWord(into tokens: inout [Token]) {
        if fastPath, scanPlainASCIIWord(into: &tokens) { return }
        let start = i
        let charStart = chars
        var lastApostrophe = -1
        var lastApostropheLen = 0
        var nonASCII = false
        while i < n {
            let c = cls(i)
            switch c {
            case .upper, .lower, .digit:
                i += 1
                chars += 1
                continue
            case .nonASCII:
                let s = UTF8Scalar.decode(p, at: i)
                if s.valid, UnicodeClass.of(s.value) == .letter {
                    nonASCII = true
                    i += s.length
                    chars += 1
                    continue
                }
                let a = apostropheLength(at: i)
                if a > 0, isWordStart(at: i + a) {
                    lastApostrophe = i
                    lastApostropheLen = a
                    i += a
                    chars += 1
                    continue
                }
            case .apostrophe:
                if isWordStart(at: i + 1) {
                    lastApostrophe = i
                    lastApostropheLen = 1
                    i += 1
                    chars += 1
                    continue
                }
            case .punct:
                // `3,000` and `2.5`: a separator between digits stays inside the number.
                if p[i] == 0x2C || p[i] == 0x2E, i > start, cls(i - 1) == .digit, i + 1 < n, cls(i + 1) == .digit {
                    i += 1
                    chars += 1
                    continue
                }
            case .hyphen:
                if isWordStart(at: i + 1) {
                    i += 1
                    chars += 1
                    continue
                }
            default:
                break
            }
            break
        }
        // Split a final clitic off a contraction.
        if lastApostrophe > start {
            let suffixStart = lastApostrophe + lastApostropheLen
            let suffix = lowerASCII(suffixStart, i)
            let clitics: Set<String> = ["s", "re", "ve", "ll", "d", "m"]
            var split = -1
            if suffix == "t", lastApostrophe - 1 > start, p[lastApostrophe - 1] | 0x20 == 0x6E {
                split = lastApostrophe - 1
            } else if clitics.contains(suffix) {
                split = lastApostrophe
            }
            if split > start {
                let splitChars = charStart + countChars(start, split)
                emitWord(start, split, charStart, splitChars, nonASCII: nonASCII, into: &tokens)
                emitWord(split, i, splitChars, chars, nonASCII: lastApostropheLen > 1, clitic: true, into: &tokens)
                return
            }
        }
        emitWord(start, i, charStart, chars, nonASCII: nonASCII, into: &tokens)
    }

    /// The common case in one pass: a run of ASCII letters and digits that ends at a byte which
    /// cannot continue a word (space, most punctuation, end of text). Emits the same token as
    /// `scanWord` + `emitWord` would and returns true; returns false, having consumed nothing,
    /// when the run ends at a byte that needs the general rules (apostrophe, hyphen, non-ASCII,
    /// `.` or `,` after a digit, or a URL's `:`).
    mutating func scanPlainASCIIWord(into tokens: inout [Token]) -> Bool {
        let start = i
        var j = i
        var upper = 0, lower = 0, digits = 0
        var h = TermHash.fnvOffset
        while j < n {
            let b = p[j]
            if b &- 0x61 < 26 {
                lower += 1
                h = TermHash.step(h, b)
            } else if b &- 0x41 < 26 {
                upper += 1
                h = TermHash.step(h, b | 0x20)
            } else if b &- 0x30 < 10 {
                digits += 1
                h = TermHash.step(h, b)
            } else {
                break
            }
            j += 1
        }
        if j < n {
            switch p[j] {
            case 0x27, 0x2D, 0x80...: return false
            case 0x2C where digits > 0, 0x2E where digits > 0: return false
            default: break
            }
        }
        var flags: TokenFlags = []
        if p[start] &- 0x41 < 26 { flags.insert(.capitalized) }
        if upper >= 2, lower == 0 { flags.insert(.allCaps) }
        let kind: TokenKind = digits > 0 && upper + lower == 0 ? .number : .word
        emit(kind, start, j, chars, chars + (j - start), hash: TermHash.fmix64(h), flags: flags, into: &tokens)
        chars += j - start
        i = j
        return true
    }

    /// The ASCII-lower-cased text of bytes `a..<b`, or "" if they are not all ASCII letters.
    func lowerASCII(_ a: Int, _ b: Int) -> String {
        guard b - a <= 3 else { return "" }
        var s = ""
        for j in a..<b {
            let c = cls(j)
            guard c == .upper || c == .lower else { return "" }
            s.unicodeScalars.append(Unicode.Scalar(p[j] | 0x20))
        }
        return s
    }

    /// The number of code points in the valid UTF-8 bytes `a..<b`.
    func countChars(_ a: Int, _ b: Int) -> Int {
        var count = 0
        for j in a..<b where p[j] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    mutating func emitWord(_ a: Int, _ b: Int, _ ca: Int, _ cb: Int, nonASCII: Bool, clitic: Bool = false, into tokens: inout [Token]) {
        var flags: TokenFlags = nonASCII ? [.nonASCII] : []
        var upper = 0
        var lower = 0
        var digits = 0
        var other = 0
        var h = TermHash.fnvOffset
        var j = a
        while j < b {
            let byte = p[j]
            switch table[Int(byte)] {
            case .upper:
                upper += 1
                if j == a { flags.insert(.capitalized) }
                h = TermHash.step(h, byte | 0x20)
            case .lower:
                lower += 1
                h = TermHash.step(h, byte)
            case .digit:
                digits += 1
                h = TermHash.step(h, byte)
            case .hyphen:
                flags.insert(.hyphenated)
                h = TermHash.step(h, byte)
            default:
                if byte == 0xE2, j + 2 < b, p[j + 1] == 0x80, p[j + 2] == 0x99 || p[j + 2] == 0x98 {
                    h = TermHash.step(h, 0x27)
                    j += 3
                    continue
                }
                if byte == 0x2C || byte == 0x2E {
                    h = TermHash.step(h, byte)
                    j += 1
                    continue
                }
                if byte != 0x27 { other += 1 }
                h = TermHash.step(h, byte)
            }
            j += 1
        }
        if upper >= 2, lower == 0, other == 0 { flags.insert(.allCaps) }
        let kind: TokenKind = clitic ? .clitic : (digits > 0 && upper + lower + other == 0 ? .number : .word)
        emit(kind, a, b, ca, cb, hash: TermHash.fmix64(h), flags: flags, into: &tokens)
    }

    mutating func scanURL(into tokens: inout [Token]) {
        let start = i
        let charStart = chars
        while i < n {
            let c = cls(i)
            if c == .space { break }
            if c == .nonASCII {
                let s = UTF8Scalar.decode(p, at: i)
                if s.valid, UnicodeClass.of(s.value) == .space { break }
                i += s.length
            } else {
                i += 1
            }
            chars += 1
        }
        emit(.url, start, i, charStart, chars, hash: TermHash.term(Array("<url>".utf8)), flags: [], into: &tokens)
    }

    mutating func scanMention(into tokens: inout [Token]) {
        let start = i
        let charStart = chars
        i += 1
        chars += 1
        while i < n {
            let c = cls(i)
            if c == .upper || c == .lower || c == .digit || p[i] == 0x5F {
                i += 1
                chars += 1
            } else {
                break
            }
        }
        emit(.mention, start, i, charStart, chars, hash: TermHash.term(Array("@user".utf8)), flags: [], into: &tokens)
    }

    mutating func scanEmphasis(into tokens: inout [Token]) {
        let start = i
        var flags: TokenFlags = []
        while i < n, cls(i) == .bang {
            flags.insert(p[i] == 0x21 ? .exclamation : .question)
            i += 1
        }
        let len = i - start
        chars += len
        // Hash the run by its shape (`!`, `?`, `?!`), not its length: length is a rule feature.
        var shape: [UInt8] = []
        if flags.contains(.question) { shape.append(0x3F) }
        if flags.contains(.exclamation) { shape.append(0x21) }
        emit(.emphasis, start, i, chars - len, chars, hash: TermHash.term(shape), flags: flags, run: len, into: &tokens)
    }

    mutating func scanPunctRun(into tokens: inout [Token]) {
        let start = i
        let byte = p[i]
        while i < n, p[i] == byte { i += 1 }
        let len = i - start
        chars += len
        emit(.punct, start, i, chars - len, chars, hash: TermHash.term(Array(p[start..<i])), flags: [], into: &tokens)
    }

    mutating func scanEmoji(into tokens: inout [Token]) {
        let start = i
        let charStart = chars
        var s = UTF8Scalar.decode(p, at: i)
        i += s.length
        chars += 1
        while i < n, p[i] >= 0x80 {
            s = UTF8Scalar.decode(p, at: i)
            guard s.valid else { break }
            let cl = UnicodeClass.of(s.value)
            if cl == .joiner || UnicodeClass.isEmojiModifier(s.value) {
                i += s.length
                chars += 1
                if s.value == 0x200D, i < n {
                    let next = UTF8Scalar.decode(p, at: i)
                    if next.valid, UnicodeClass.of(next.value) == .emoji {
                        i += next.length
                        chars += 1
                    }
                }
                continue
            }
            if UnicodeClass.isRegionalIndicator(s.value), i - start == 4, UnicodeClass.isRegionalIndicator(UTF8Scalar.decode(p, at: start).value) {
                // A flag is a pair of regional indicators.
                i += s.length
                chars += 1
                continue
            }
            break
        }
        emit(.emoji, start, i, charStart, chars, hash: TermHash.term(Array(p[start..<i])), flags: .nonASCII, into: &tokens)
    }

    @inline(__always)
    func emit(_ kind: TokenKind, _ a: Int, _ b: Int, _ ca: Int, _ cb: Int, hash: UInt64, flags: TokenFlags, run: Int = 0, into tokens: inout [Token]) {
        tokens.append(Token(
            byteStart: Int32(truncatingIfNeeded: a), byteEnd: Int32(truncatingIfNeeded: b),
            charStart: Int32(truncatingIfNeeded: ca), charEnd: Int32(truncatingIfNeeded: cb),
            hash: hash, kind: kind, flags: flags, runLength: UInt16(clamping: run)
        ))
    }
}
