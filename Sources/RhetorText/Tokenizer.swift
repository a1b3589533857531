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
public struct Tokenizer: @unchecked Sendable {
    /// False only in tests: every word then goes through the general rules, which the one-pass
    /// ASCII fast path must reproduce token for token.
    let plainASCIIFastPath: Bool
    /// True to classify word bytes with the scalar twin of the SWAR kernel (`WordBytes`): by
    /// default when `RHETOR_SCALAR_KERNELS=1`.
    let scalarKernels: Bool
    /// The byte-class tables, read from their lazy globals once here rather than on every
    /// statement (each read is a `swift_once` call). Built once, never written: safe to share.
    let tables: ScanTables.Pointers

    public init() {
        self.init(plainASCIIFastPath: true)
    }

    init(plainASCIIFastPath: Bool, scalarKernels: Bool = ByteScan.forceScalar) {
        self.plainASCIIFastPath = plainASCIIFastPath
        self.scalarKernels = scalarKernels
        tables = ScanTables.Pointers(byteClass: ByteClass.table, plain: ScanTables.plainTables)
    }

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

    /// Tokenizes bytes into an array (emptied first).
    ///
    /// - Complexity: O(n) in the number of bytes.
    public func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [Token]) {
        // About one token per five bytes of prose: sized so a typical text never regrows.
        let capacity = bytes.count / 4 + 16
        // The scanner writes straight into the array's storage (a copy from a buffer cost ~15 %
        // of tokenizing an article); a text with more tokens than that regrows into the
        // buffer's own memory and is copied from there.
        var regrown: TokenBuffer?
        tokens = [Token](unsafeUninitializedCapacity: capacity) { storage, count in
            let buffer = TokenBuffer(borrowing: storage.baseAddress!, capacity: capacity)
            tokenize(bytes, into: buffer)
            if buffer.ownsTokens { regrown = buffer; count = 0 } else { count = buffer.count }
        }
        if let regrown { tokens = Array(regrown.tokens) }
    }

    /// Tokenizes bytes into a reusable buffer (emptied first): the hot path, with no allocation
    /// once the buffer has grown to the longest statement's token count.
    ///
    /// - Complexity: O(n) in the number of bytes.
    public func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: TokenBuffer) {
        // The scanner does not retain `buffer` (see `Scanner.buffer`): keep it alive here.
        withExtendedLifetime(buffer) {
            var scanner = Scanner(bytes: bytes, fastPath: plainASCIIFastPath, scalarKernels: scalarKernels, tables: tables, out: buffer)
            scanner.run()
            buffer.count = scanner.count
        }
    }
}

/// The word-block kernel of a specialization of the plain-word loop.
protocol WordBlockKernel {
    /// True for the scalar twin (`WordBytes.blockScalar`), false for the SIMD kernel.
    static var scalar: Bool { get }
}

/// `WordBytes.blockSIMD`.
enum SIMDWordBlocks: WordBlockKernel {
    static var scalar: Bool { false }
}

/// `WordBytes.blockScalar` (`RHETOR_SCALAR_KERNELS=1`).
enum ScalarWordBlocks: WordBlockKernel {
    static var scalar: Bool { true }
}

/// Token storage reused from statement to statement on one thread. The tokenizer writes through
/// a raw pointer: appending to an Array checked uniqueness and capacity on every token (about a
/// tenth of the tokenizer's instructions). One thread uses a buffer at a time (it is not
/// Sendable), so the dynamic exclusivity checks on its properties are off.
public final class TokenBuffer {
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<Token>
    /// Beside each token: its `LoweredBytes` (zero for tokens the plain-word path did not make).
    @exclusivity(unchecked) @usableFromInline var loweredBase: UnsafeMutablePointer<LoweredBytes>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    /// The number of tokens of the last statement.
    @exclusivity(unchecked) public internal(set) var count = 0
    /// False while `base` is storage lent by the caller (`init(borrowing:capacity:)`), which
    /// the buffer never frees; growing moves the tokens into memory of its own.
    @exclusivity(unchecked) public private(set) var ownsTokens = true

    public init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
        loweredBase = .allocate(capacity: self.capacity)
    }

    /// A buffer whose tokens are written to `storage` (room for `capacity` tokens, at least
    /// 16), which must outlive it.
    public init(borrowing storage: UnsafeMutablePointer<Token>, capacity: Int) {
        precondition(capacity >= 16, "a borrowed token buffer holds at least 16 tokens")
        self.capacity = capacity
        base = storage
        ownsTokens = false
        loweredBase = .allocate(capacity: capacity)
    }

    deinit {
        if ownsTokens { base.deallocate() }
        loweredBase.deallocate()
    }

    /// The tokens of the last statement; valid until the next `tokenize` into this buffer.
    public var tokens: UnsafeBufferPointer<Token> { UnsafeBufferPointer(start: base, count: count) }

    /// The `LoweredBytes` of each token of the last statement (parallel to `tokens`).
    public var lowered: UnsafeBufferPointer<LoweredBytes> { UnsafeBufferPointer(start: loweredBase, count: count) }

    /// Doubles the capacity (or more, to `minimum`), keeping the first `kept` tokens.
    func grow(keeping kept: Int, toAtLeast minimum: Int = 0) {
        let newCapacity = max(capacity * 2, minimum)
        let bigger = UnsafeMutablePointer<Token>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: base, count: kept)
        if ownsTokens { base.deallocate() }
        base = bigger
        ownsTokens = true
        let biggerLowered = UnsafeMutablePointer<LoweredBytes>.allocate(capacity: newCapacity)
        biggerLowered.moveInitialize(from: loweredBase, count: kept)
        loweredBase.deallocate()
        loweredBase = biggerLowered
        capacity = newCapacity
    }
}

/// What the scan loop reads besides the text, built once: the hashes of the fixed token
/// spellings and the word-byte table.
enum ScanTables {
    /// The tables a scanner reads on every byte or word.
    struct Pointers {
        let byteClass: UnsafePointer<ByteClass>
        let plain: (wordBytes: UnsafePointer<UInt16>, singlePunct: UnsafePointer<UInt64>)
    }

    /// The `wordBytes` bit of `h`, `H`, `w` and `W`.
    static let mayStartURL: UInt16 = 0x800
    static let replacement = TermHash.term([0xEF, 0xBF, 0xBD])
    /// A lone curly apostrophe normalizes to `'`.
    static let apostrophe = TermHash.term([0x27])
    static let url = TermHash.term(Array("<url>".utf8))
    static let user = TermHash.term(Array("@user".utf8))
    /// Emphasis runs hash by shape: `?`, `!`, `?!`.
    static let question = TermHash.term([0x3F])
    static let exclamation = TermHash.term([0x21])
    static let both = TermHash.term([0x3F, 0x21])
    /// The plain-ASCII loop's two per-byte tables in one allocation, so a statement's scan
    /// reads one lazy global (`swift_once`) for both. Never written after it is built, so sharing
    /// it between threads is safe.
    ///
    /// `wordBytes` (256 x UInt16, first): 0 for a byte that ends a run of ASCII letters and
    /// digits, else the byte lower-cased with its class bit above it (0x100 lower-case letter,
    /// 0x200 upper-case, 0x400 digit), and `mayStartURL` (0x800) for `h` and `w` in either case,
    /// the first letters of every URL prefix. The plain loop tests it for zero and for that bit
    /// (the class bits served the byte loop model format 4 replaced); a test of the `ByteClass`
    /// table's class instead cost 0.7 % more instructions, so the table stays.
    ///
    /// `singlePunct` (256 x UInt64, after it): the term hash of a one-byte punctuation token
    /// (`scanPunctRun`'s `rawHash` of it) for the bytes of class `.punct` other than `@` (which
    /// may start a mention); 0 for every other byte (no such hash is 0: the table's builder
    /// checks).
    nonisolated(unsafe) static let plainTables: (wordBytes: UnsafePointer<UInt16>, singlePunct: UnsafePointer<UInt64>) = {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 256 * 2 + 256 * 8, alignment: 64)
        let words = raw.bindMemory(to: UInt16.self, capacity: 256)
        for b in 0..<256 {
            switch UInt8(b) {
            case 0x61...0x7A: words[b] = 0x100 | UInt16(b)
            case 0x41...0x5A: words[b] = 0x200 | UInt16(b | 0x20)
            case 0x30...0x39: words[b] = 0x400 | UInt16(b)
            default: words[b] = 0
            }
            if b | 0x20 == 0x68 || b | 0x20 == 0x77 { words[b] |= mayStartURL }
        }
        let punct = (raw + 256 * 2).bindMemory(to: UInt64.self, capacity: 256)
        for b in 0..<256 {
            punct[b] = ByteClass.classify(UInt8(b)) == .punct && b != 0x40 ? TermHash.term([UInt8(b)]) : 0
            precondition(punct[b] != 0 || ByteClass.classify(UInt8(b)) != .punct || b == 0x40, "a punctuation hash is the empty-slot mark 0")
        }
        return (UnsafePointer(words), UnsafePointer(punct))
    }()
}

/// The state of one tokenizing pass.
private struct Scanner {
    let p: UnsafeBufferPointer<UInt8>
    let n: Int
    var i = 0
    var chars = 0
    /// The byte-class tables, held here so the hot loop does not re-check the globals' lazy
    /// initialization (`swift_once`) on every byte.
    let table: UnsafePointer<ByteClass>
    let wordBytes: UnsafePointer<UInt16>
    let singlePunct: UnsafePointer<UInt64>
    let fastPath: Bool
    /// True when the environment forces the scalar twin of the word-block kernel.
    let scalarKernels: Bool
    /// Where tokens go: `out[0..<count]`, growing through `buffer`. Not retained: a scanner
    /// lives only inside `tokenize(_:into:)`, whose caller holds the buffer, and a strong
    /// reference cost an atomic retain and release at every copy of the scanner (each plain
    /// run copies it), 2.9 % of the batch scorer's time (perf).
    unowned(unsafe) let buffer: TokenBuffer
    var out: UnsafeMutablePointer<Token>
    /// `buffer`'s `LoweredBytes`, parallel to `out`.
    var loweredOut: UnsafeMutablePointer<LoweredBytes>
    var capacity: Int
    var count = 0

    init(bytes: UnsafeBufferPointer<UInt8>, fastPath: Bool, scalarKernels: Bool, tables: ScanTables.Pointers, out buffer: TokenBuffer) {
        p = bytes
        n = bytes.count
        table = tables.byteClass
        (wordBytes, singlePunct) = tables.plain
        self.fastPath = fastPath
        self.scalarKernels = scalarKernels
        self.buffer = buffer
        out = buffer.base
        loweredOut = buffer.loweredBase
        capacity = buffer.capacity
    }

    /// The term hash of `p[a..<b]`, bytes that need no normalizing.
    func rawHash(_ a: Int, _ b: Int) -> UInt64 {
        var h = TermHasher()
        for j in a..<b { h.append(p[j]) }
        return h.finish()
    }

    /// The word-byte classes of the 16 bytes from `j`, reading nothing past the end: bytes past
    /// it are zero (a byte in no class). Near the end the last 16 bytes are classified and
    /// shifted down.
    @inline(__always)
    func block16(_ j: Int) -> WordBlock {
        block16(j, scalar: scalarKernels)
    }

    /// `block16` with the kernel choice given (a constant where the caller is specialized).
    @inline(__always)
    func block16(_ j: Int, scalar: Bool) -> WordBlock {
        block16(j, base: p.baseAddress!, scalar: scalar)
    }

    /// `block16` given the text's base address (which a loop unwraps once, not per word).
    @inline(__always)
    func block16(_ j: Int, base: UnsafePointer<UInt8>, scalar: Bool) -> WordBlock {
        if j &+ 16 <= n { return WordBytes.block(base + j, scalar: scalar) }
        guard j < n else { return WordBlock(word: 0, upper: 0, digit: 0, lo: 0, hi: 0) }
        if n >= 16 { return WordBytes.block(base + (n &- 16), scalar: scalar).dropping(j &- (n &- 16)) }
        return shortBlock(j)
    }

    /// `block16` of a text shorter than 16 bytes: its tail copied into zeroed bytes.
    @inline(never)
    func shortBlock(_ j: Int) -> WordBlock {
        var bytes: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            for k in 0..<(n &- j) { raw[k] = p[j &+ k] }
            return WordBytes.block(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), scalar: scalarKernels)
        }
    }

    /// True when a URL prefix (`http://`, `https://`, `www.`, any case) starts the eight bytes
    /// `w` (as `startsURL` tests byte by byte: each byte OR 0x20 against the lower-case prefix).
    @inline(__always)
    static func startsURL(_ w: UInt64) -> Bool {
        let l = w | 0x2020_2020_2020_2020
        return l & 0x00FF_FFFF_FFFF_FFFF == 0x2F_2F3A_7074_7468      // "http://"
            || l == 0x2F2F_3A73_7074_7468                          // "https://"
            || l & 0xFFFF_FFFF == 0x2E77_7777                      // "www."
    }

    @inline(__always) func cls(_ j: Int) -> ByteClass {
        table[Int(p[j])]
    }

    mutating func run() {
        while i < n {
            // Spaces and plain ASCII words (most of any text) in one tight loop; it returns at
            // the first byte that needs the rules below.
            if fastPath { scanPlainRun() }
            guard i < n else { break }
            let c = cls(i)
            switch c {
            case .space, .control:
                i += 1
                chars += 1
            case .upper, .lower, .digit:
                // Every URL prefix starts with h or w: most words skip the prefix test.
                let first = p[i] | 0x20
                if first == 0x68 || first == 0x77, startsURL() {
                    scanURL()
                } else if !fastPath || !scanPlainASCIIWord() {
                    scanWord()
                }
            case .bang:
                scanEmphasis()
            case .apostrophe, .hyphen, .punct:
                if p[i] == 0x40, i + 1 < n, isWordStart(at: i + 1) {
                    scanMention()
                } else {
                    scanPunctRun()
                }
            case .nonASCII:
                let s = UTF8Scalar.decode(p, at: i)
                guard s.valid else {
                    emit(.invalid, i, i + s.length, chars, chars + 1, hash: ScanTables.replacement, flags: .nonASCII)
                    i += s.length
                    chars += 1
                    continue
                }
                switch UnicodeClass.of(s.value) {
                case .space:
                    i += s.length
                    chars += 1
                case .letter:
                    scanWord()
                case .emoji:
                    scanEmoji()
                case .punct, .apostrophe:
                    let start = i
                    i += s.length
                    chars += 1
                    // A non-ASCII mark: U+2018/U+2019 normalize to `'`, nothing else changes.
                    let h = p[start] == 0xE2 && p[start + 1] == 0x80 && (p[start + 2] == 0x98 || p[start + 2] == 0x99)
                        ? ScanTables.apostrophe : rawHash(start, i)
                    emit(.punct, start, i, chars - 1, chars, hash: h, flags: .nonASCII)
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

    /// True when `http://`, `https://` or `www.` (any case) starts at `i`.
    @inline(never)
    func startsURL() -> Bool {
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

    /// A word by the general rules (`run` tries the one-pass ASCII path first).
    mutating func scanWord() {
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
            var split = -1
            if isSuffix(suffixStart, "t"), lastApostrophe - 1 > start, p[lastApostrophe - 1] | 0x20 == 0x6E {
                split = lastApostrophe - 1
            } else if isSuffix(suffixStart, "s") || isSuffix(suffixStart, "re") || isSuffix(suffixStart, "ve")
                        || isSuffix(suffixStart, "ll") || isSuffix(suffixStart, "d") || isSuffix(suffixStart, "m") {
                split = lastApostrophe
            }
            if split > start {
                let splitChars = charStart + countChars(start, split)
                emitWord(start, split, charStart, splitChars, nonASCII: nonASCII)
                emitWord(split, i, splitChars, chars, nonASCII: lastApostropheLen > 1, clitic: true)
                return
            }
        }
        emitWord(start, i, charStart, chars, nonASCII: nonASCII)
    }

    /// The common case in one pass: a run of ASCII letters and digits that ends at a byte which
    /// cannot continue a word (space, most punctuation, end of text). Emits the same token as
    /// `scanWord` + `emitWord` would and returns true; returns false, having consumed nothing,
    /// when the run ends at a byte that needs the general rules (apostrophe, hyphen, non-ASCII,
    /// `.` or `,` after a digit, or a URL's `:`).
    @inline(__always)
    mutating func scanPlainASCIIWord() -> Bool {
        guard let w = plainWord(at: i, block: block16(i)) else { return false }
        emit(w.kind, i, w.end, chars, chars + (w.end - i), hash: w.hash, flags: w.flags, lowered: w.lowered)
        chars += w.end - i
        i = w.end
        return true
    }

    /// The plain ASCII word starting at `start` (a letter or digit): where it ends, its kind,
    /// flags and term hash; nil when it continues with a byte that needs the general rules.
    /// `spaceAfter` is 1 when the byte after a word shorter than 16 bytes is a space (which
    /// the scan loop then consumes with the word), else 0.
    ///
    /// Sixteen bytes at a time: `WordBytes` classifies them (SSE2), the first byte that is not
    /// a letter or digit ends the word (the lowest zero bit of the word mask), and the
    /// lower-cased, masked chunks go straight into `TermHash.absorb`: no loop or branch per
    /// byte. A word shorter than 16 bytes (nearly all) takes no loop at all.
    /// `b` is `block16(start)`, which the caller has read already.
    ///
    /// The letters and digits alone end the word unless the byte they stop at is a hyphen, or
    /// `.` or `,` after a digit: only then can `joined` take the word further, and
    /// `joinedPlainWord` decides. So the common path never reads the block's separator and
    /// hyphen masks, and the compiler drops their compares.
    @inline(__always)
    func plainWord(at start: Int, block b: WordBlock) -> (end: Int, kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes, spaceAfter: Int)? {
        let stop = ~b.word & 0xFFFF
        guard stop != 0 else { return Self.noSpaceAfter(longPlainWord(at: start)) }
        // 1...15 bytes: the byte at `start` is a letter or digit.
        let length = stop.trailingZeroBitCount
        let next = Self.byte(b, length)
        let afterDigit = b.digit & (1 &<< UInt32(length &- 1)) != 0
        if next == 0x2D || ((next == 0x2C || next == 0x2E) && afterDigit) { return Self.noSpaceAfter(joinedPlainWord(at: start)) }
        // No hyphen or separator joined: the general rules take only an apostrophe or non-ASCII.
        if next == 0x27 || next >= 0x80 { return nil }
        var unjoined = b
        unjoined.hyphen = 0
        let token = Self.plainToken(unjoined, length: length)
        return (start &+ length, token.kind, token.flags, token.hash, token.lowered, next == 0x20 ? 1 : 0)
    }

    /// A word from `longPlainWord` or `joinedPlainWord` as `plainWord` returns it: whether a
    /// space follows is not known (0), and the scan loop tests the byte itself.
    @inline(__always)
    static func noSpaceAfter(_ w: (end: Int, kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes)?)
        -> (end: Int, kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes, spaceAfter: Int)? {
        w.map { ($0.end, $0.kind, $0.flags, $0.hash, $0.lowered, 0) }
    }

    /// `plainWord` for a word whose letters and digits stop at a hyphen, or at `.` or `,` after
    /// a digit: the bytes `joined` takes (`e-mail`, `3,000.50`), from the block read again.
    @inline(never)
    func joinedPlainWord(at start: Int) -> (end: Int, kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes)? {
        let b = block16(start)
        let stop = ~Self.joined(b) & 0xFFFF
        guard stop != 0 else { return longPlainWord(at: start) }
        let length = stop.trailingZeroBitCount
        // A separator in the block's last byte may still join digits: the general rules decide.
        if Self.mayContinue(next: Self.byte(b, length), afterDigit: length == 15 && b.digit & (1 &<< 14) != 0) { return nil }
        let token = Self.plainToken(b, length: length)
        return (start &+ length, token.kind, token.flags, token.hash, token.lowered)
    }

    /// The bytes of a block that a word run over, as `scanWord`'s rules join them: letters and
    /// digits, `.` or `,` between two digits (`3,000.50`), and `-` before a letter or digit
    /// (`e-mail`). A hyphen before the block's end or before a non-ASCII letter is not joined
    /// here (`mayContinue` hands a word that stops at one to the general rules).
    @inline(__always)
    static func joined(_ b: WordBlock) -> UInt32 {
        b.word | (b.separator & (b.digit &<< 1) & (b.digit &>> 1)) | (b.hyphen & (b.word &>> 1))
    }

    /// True when `next`, the byte a plain word stops at, may continue the word by the general
    /// rules (an apostrophe, a hyphen, non-ASCII, or `.`/`,` when `afterDigit`): the plain path
    /// then leaves the word to them.
    @inline(__always)
    static func mayContinue(next: UInt8, afterDigit: Bool) -> Bool {
        next == 0x27 || next == 0x2D || next >= 0x80 || ((next == 0x2C || next == 0x2E) && afterDigit)
    }

    /// A plain word's flags: capitalized when its first byte is upper case; all capitals with
    /// two or more upper-case letters and no lower-case one. For `longPlainWord`, which gathers
    /// these across blocks; words read from one block take `caseFlags` on their masks (inlined
    /// into the plain-word path, these Bools still compiled to a jump on the first letter).
    @inline(__always)
    static func flags(firstUpper: Bool, manyUpper: Bool, lower: Bool) -> TokenFlags {
        // Selects, not an option-set literal picked by `firstUpper ?` (that compiled to a jump).
        let capitalized: UInt8 = firstUpper ? TokenFlags.capitalized.rawValue : 0
        let allCaps: UInt8 = manyUpper && !lower ? TokenFlags.allCaps.rawValue : 0
        return TokenFlags(rawValue: capitalized | allCaps)
    }

    /// `flags(firstUpper:manyUpper:lower:)`'s raw value from a word's masks of upper-case and
    /// lower-case letters (bit k: the word's byte k), in integer arithmetic: given as Bools,
    /// the compiler split the plain-word path on the first letter's case, a jump that
    /// cachegrind's branch model missed ~4 times a statement (20k Reuters sentences).
    @inline(__always)
    static func caseFlags(upper: UInt32, lower: UInt32) -> UInt8 {
        // (x - 1) >> 63 is 1 exactly when the 32-bit x is 0.
        let noLower = (UInt64(lower) &- 1) &>> 63
        let oneUpperAtMost = (UInt64(upper & (upper &- 1)) &- 1) &>> 63
        let allCaps = noLower & (oneUpperAtMost ^ 1)
        let firstUpper = UInt64(upper & 1)
        return UInt8(truncatingIfNeeded: allCaps &* UInt64(TokenFlags.allCaps.rawValue) | firstUpper &* UInt64(TokenFlags.capitalized.rawValue))
    }

    /// A plain ASCII word that ends in an ASCII-apostrophe clitic (`'s`, `'re`, `'ve`, `'ll`,
    /// `'d`, `'m`, or `n't`) followed by a byte that ends the word: the two tokens `scanWord`
    /// splits it into (the word is `start..<split`, the clitic `split..<end`), read from one
    /// 16-byte block. Nil for anything else, which the general rules then take.
    @inline(never)
    func plainClitic(at start: Int) -> (split: Int, end: Int, word: (kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes),
                                        clitic: (flags: TokenFlags, hash: UInt64))? {
        // Read again rather than passed in: a block passed to this out-of-line call was kept
        // in memory for every word (+2 % of the run's instructions).
        let b = block16(start)
        let stop = ~b.word & 0xFFFF
        // The apostrophe, with room in the block for up to two letters and the byte after them.
        let apostrophe = stop.trailingZeroBitCount
        guard apostrophe <= 12, Self.byte(b, apostrophe) == 0x27 else { return nil }
        let letters = (b.word & ~b.digit) &>> UInt32(apostrophe &+ 1)
        let suffix = (~letters).trailingZeroBitCount
        guard suffix == 1 || suffix == 2 else { return nil }
        let after = apostrophe &+ 1 &+ suffix
        // The byte after the clitic ends the word: not a letter or digit (checked: `suffix`
        // counted letters and a digit would continue the word), apostrophe, hyphen or non-ASCII.
        let next = Self.byte(b, after)
        guard b.word & (1 &<< UInt32(after)) == 0, next != 0x27, next != 0x2D, next < 0x80 else { return nil }
        let first = Self.byte(b, apostrophe &+ 1), second = suffix == 2 ? Self.byte(b, apostrophe &+ 2) : 0
        let split: Int
        switch (first, second) {
        case (0x73, 0), (0x64, 0), (0x6D, 0), (0x72, 0x65), (0x76, 0x65), (0x6C, 0x6C):   // s d m re ve ll
            split = apostrophe
        case (0x74, 0) where apostrophe >= 2 && Self.byte(b, apostrophe &- 1) == 0x6E:     // n't
            split = apostrophe &- 1
        default:
            return nil
        }
        let word = Self.plainToken(b, length: split)
        let cliticLength = after &- split
        let inClitic: UInt32 = ((1 &<< UInt32(cliticLength)) &- 1) &<< UInt32(split)
        let upper = (b.upper & inClitic) &>> UInt32(split)
        let lower = b.word & ~b.digit & ~b.upper & inClitic
        let chunk = Self.bytes(b, from: split, count: cliticLength)
        return (start &+ split, start &+ after, word,
                (TokenFlags(rawValue: Self.caseFlags(upper: upper, lower: lower)),
                 TermHash.finish(TermHash.absorb(0, chunk: chunk), count: cliticLength)))
    }

    /// Byte `k` (0...15) of a block, lower-cased.
    @inline(__always)
    static func byte(_ b: WordBlock, _ k: Int) -> UInt8 {
        // The half is picked by a select, not a jump: `k` is a word's length, below 8 or not
        // at random.
        let s = UInt64(truncatingIfNeeded: k) &* 8
        let half = s < 64 ? b.lo : b.hi
        return UInt8(truncatingIfNeeded: half &>> (s & 63))
    }

    /// `count` (1...7) lower-cased bytes of a block from `from` (with `from + count <= 16`),
    /// little-endian.
    @inline(__always)
    static func bytes(_ b: WordBlock, from: Int, count: Int) -> UInt64 {
        let s = UInt64(truncatingIfNeeded: from) &* 8
        let window = s == 0 ? b.lo : (s >= 64 ? b.hi &>> (s &- 64) : (b.lo &>> s) | (b.hi &<< (64 &- s)))
        return window & (~0 &>> (64 &- UInt64(truncatingIfNeeded: count) &* 8))
    }

    /// The kind, flags and term hash of the plain word made of a block's first `length` (1...15)
    /// bytes: ASCII letters and digits, and the separators and hyphens `joined` takes.
    @inline(__always)
    static func plainToken(_ b: WordBlock, length: Int) -> (kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes) {
        let inWord: UInt32 = (1 &<< UInt32(length)) &- 1
        let bits = UInt64(truncatingIfNeeded: length) &* 8
        // The low `bits` of each half (`bzhi`, which keeps the whole word from 64 on). `hi` is
        // read only for a word over 8 bytes (bits 72...120); for a shorter one the shift wraps
        // and `hi` is not used.
        let lo = bits >= 64 ? b.lo : b.lo & ((1 &<< bits) &- 1)
        let hi = b.hi & ((1 &<< ((bits &- 64) & 63)) &- 1)
        let first = TermHash.absorb(0, chunk: lo)
        // Both chunks are absorbed and the state picked by length: one multiply more for short
        // words, in place of a jump on a length that is above 8 or not at random.
        let second = TermHash.absorb(first, chunk: hi)
        let long = length > 8
        let hash = TermHash.finish(long ? second : first, count: length)
        let upper = b.upper & inWord, letters = b.word & ~b.digit & inWord
        let hyphenated: UInt8 = b.hyphen & inWord != 0 ? TokenFlags.hyphenated.rawValue : 0
        let flags = TokenFlags(rawValue: caseFlags(upper: upper, lower: letters & ~upper) | hyphenated)
        return (letters != 0 ? .word : .number, flags, hash, LoweredBytes(lo: lo, hi: long ? hi : 0))
    }

    /// `plainWord` for a word of 16 bytes or more: a block per loop.
    @inline(never)
    func longPlainWord(at start: Int) -> (end: Int, kind: TokenKind, flags: TokenFlags, hash: UInt64, lowered: LoweredBytes)? {
        var j = start
        var h: UInt64 = 0
        var firstUpper = false
        var manyUpper = false
        var upperSeen: UInt32 = 0, lower: UInt32 = 0, digit: UInt32 = 0
        while true {
            let b = block16(j)
            let stop = ~b.word & 0xFFFF
            let length = stop == 0 ? 16 : stop.trailingZeroBitCount
            let inWord: UInt32 = (1 &<< UInt32(length)) &- 1
            let u = b.upper & inWord
            if j == start { firstUpper = u & 1 != 0 }
            manyUpper = manyUpper || u & (u &- 1) != 0 || (upperSeen != 0 && u != 0)
            upperSeen |= u
            lower |= b.word & ~b.digit & ~b.upper & inWord
            digit |= b.digit & inWord
            let bits = UInt64(truncatingIfNeeded: length) &* 8
            if length > 0 { h = TermHash.absorb(h, chunk: b.lo & (~0 &>> (64 &- min(bits, 64)))) }
            if length > 8 { h = TermHash.absorb(h, chunk: b.hi & (~0 &>> (128 &- bits))) }
            j &+= length
            if length < 16 {
                if Self.mayContinue(next: Self.byte(b, length), afterDigit: digit != 0) { return nil }
                break
            }
        }
        return (j, upperSeen | lower != 0 ? .word : .number, Self.flags(firstUpper: firstUpper, manyUpper: manyUpper, lower: lower != 0),
                TermHash.finish(h, count: j &- start), .absent)
    }

    /// Consumes ASCII spaces, plain ASCII words (`plainWord`) and lone punctuation marks from
    /// `i`, with the scanner's position and output in locals (registers) rather than in the
    /// struct; returns at the first byte it leaves to the general rules (other white space, runs
    /// of punctuation, `@`, non-ASCII, a URL, a word `plainWord` declines), or at the end.
    ///
    /// The loop body is compiled once per kernel choice (`scalarKernels` is tested here, not on
    /// every word), keeps no character count (every byte it consumes is ASCII, so a token's
    /// character offset is its byte offset plus a constant), and checks the token buffer's room
    /// once per stretch of bytes rather than per token.
    @inline(__always)
    mutating func scanPlainRun() {
        if scalarKernels { scanPlainRun(ScalarWordBlocks.self) } else { scanPlainRun(SIMDWordBlocks.self) }
    }

    /// `scanPlainRun` with the word-block kernel fixed by a type, so the compiler specializes
    /// the loop once per kernel. (A `scalar: Bool` argument, even a literal, left one function
    /// testing the flag on every word.)
    mutating func scanPlainRun<Kernel: WordBlockKernel>(_: Kernel.Type) {
        let scalar = Kernel.scalar
        var i = self.i
        // Each byte consumed here is one character: chars - i stays constant. Tokens are
        // written with their byte offsets as character offsets, and shifted by this afterwards
        // when it is not 0 (only after non-ASCII text): one value fewer held in the loop, which
        // spills (cachegrind, 106k sentences: -0.7 %).
        let charsMinusBytes = chars &- i
        let firstToken = self.count
        var out = self.out, loweredOut = self.loweredOut
        // Where the next token and its lowered bytes go: two cursors stepped per token, in
        // place of a count that indexed both arrays (one register fewer in a loop that spills,
        // and no index arithmetic per store; cachegrind, 106k sentences: -1.0 %).
        var next = out + self.count, nextLowered = loweredOut + self.count
        defer {
            self.chars = i &+ charsMinusBytes; self.i = i; self.count = out.distance(to: next)
            self.out = out; self.loweredOut = loweredOut
            if charsMinusBytes != 0 {
                let shift = Int32(truncatingIfNeeded: charsMinusBytes)
                for k in firstToken..<self.count {
                    out[k].charStart &+= shift
                    out[k].charEnd &+= shift
                }
            }
        }
        // The readers below go through an immutable copy taken once: called on `self`, which
        // this mutating loop holds inout, each word copied the whole scanner to the stack.
        let reader = self
        guard i < n, let base = p.baseAddress else { return }
        while i < n {
            // A stretch of bytes with room for its tokens: each step of the loop consumes a
            // byte or more and emits at most one token per byte (a contraction's two tokens
            // take three bytes or more), plus one for a word that runs past the stretch.
            let stretchEnd = min(n, i &+ Self.stretch)
            let count = out.distance(to: next)
            let room = count &+ (stretchEnd &- i) &+ 2
            if room > capacity {
                Self.grow(buffer, keeping: count, toAtLeast: room, out: &out, loweredOut: &loweredOut, capacity: &capacity)
                next = out + count
                nextLowered = loweredOut + count
            }
            while i < stretchEnd {
                let b = p[i]
                // Spaces, and line feeds, tabs and other control bytes, which the general rules
                // skip just as they do a space (news articles break their lines every ~70 bytes:
                // each line feed left this loop and came back).
                if b <= 0x20 { i &+= 1; continue }
                let wordByte = wordBytes[Int(b)]
                guard wordByte != 0 else {
                    // A lone punctuation mark (`,` `.` `(` `"` ...): the token `scanPunctRun` makes
                    // of a run of one, without leaving this loop.
                    let h = singlePunct[Int(b)]
                    guard h != 0, i &+ 1 == n || p[i &+ 1] != b else { return }
                    Self.put(.punct, i, i &+ 1, hash: h, flags: [], lowered: LoweredBytes(lo: UInt64(b), hi: 0), at: &next, &nextLowered)
                    i &+= 1
                    continue
                }
                // Every URL prefix starts with h or w. One classified block serves the URL test
                // and the word.
                let block = reader.block16(i, base: base, scalar: scalar)
                if wordByte & ScanTables.mayStartURL != 0, Self.startsURL(block.lo) { return }
                guard let w = reader.plainWord(at: i, block: block) else {
                    // A contraction (`company's`, `don't`): both tokens here, or the general rules.
                    guard let c = reader.plainClitic(at: i) else { return }
                    Self.put(c.word.kind, i, c.split, hash: c.word.hash, flags: c.word.flags, lowered: c.word.lowered, at: &next, &nextLowered)
                    Self.put(.clitic, c.split, c.end, hash: c.clitic.hash, flags: c.clitic.flags, at: &next, &nextLowered)
                    i = c.end
                    continue
                }
                Self.put(w.kind, i, w.end, hash: w.hash, flags: w.flags, lowered: w.lowered, at: &next, &nextLowered)
                // Most words end at a space: consumed here, where it nearly always is, rather
                // than by the loop's first test (cachegrind, 106k sentences: -7.7M instructions,
                // +0.13M mispredicts), and known from the byte `plainWord` read after the word.
                i = w.end &+ w.spaceAfter
            }
        }
    }

    /// Bytes per stretch of `scanPlainRun` (its token room is checked once per stretch).
    static let stretch = 256

    /// True when bytes `a..<i` (the end of the word being scanned) are `suffix`, a lower-case
    /// ASCII word, in any case (a byte OR 0x20 is a lower-case letter only when it is a letter).
    func isSuffix(_ a: Int, _ suffix: StaticString) -> Bool {
        guard i - a == suffix.utf8CodeUnitCount else { return false }
        return suffix.withUTF8Buffer { s in
            for k in 0..<s.count where p[a + k] | 0x20 != s[k] { return false }
            return true
        }
    }

    /// The number of code points in the valid UTF-8 bytes `a..<b`.
    func countChars(_ a: Int, _ b: Int) -> Int {
        var count = 0
        for j in a..<b where p[j] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    mutating func emitWord(_ a: Int, _ b: Int, _ ca: Int, _ cb: Int, nonASCII: Bool, clitic: Bool = false) {
        var flags: TokenFlags = nonASCII ? [.nonASCII] : []
        var upper = 0
        var lower = 0
        var digits = 0
        var other = 0
        var h = TermHasher()
        var j = a
        while j < b {
            let byte = p[j]
            switch table[Int(byte)] {
            case .upper:
                upper += 1
                if j == a { flags.insert(.capitalized) }
                h.append(byte | 0x20)
            case .lower:
                lower += 1
                h.append(byte)
            case .digit:
                digits += 1
                h.append(byte)
            case .hyphen:
                flags.insert(.hyphenated)
                h.append(byte)
            default:
                if byte == 0xE2, j + 2 < b, p[j + 1] == 0x80, p[j + 2] == 0x99 || p[j + 2] == 0x98 {
                    h.append(0x27)
                    j += 3
                    continue
                }
                if byte == 0x2C || byte == 0x2E {
                    h.append(byte)
                    j += 1
                    continue
                }
                if byte != 0x27 { other += 1 }
                h.append(byte)
            }
            j += 1
        }
        if upper >= 2, lower == 0, other == 0 { flags.insert(.allCaps) }
        let kind: TokenKind = clitic ? .clitic : (digits > 0 && upper + lower + other == 0 ? .number : .word)
        emit(kind, a, b, ca, cb, hash: h.finish(), flags: flags)
    }

    mutating func scanURL() {
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
        emit(.url, start, i, charStart, chars, hash: ScanTables.url, flags: [])
    }

    mutating func scanMention() {
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
        emit(.mention, start, i, charStart, chars, hash: ScanTables.user, flags: [])
    }

    mutating func scanEmphasis() {
        let start = i
        var flags: TokenFlags = []
        while i < n, cls(i) == .bang {
            flags.insert(p[i] == 0x21 ? .exclamation : .question)
            i += 1
        }
        let len = i - start
        chars += len
        // Hash the run by its shape (`!`, `?`, `?!`), not its length: length is a rule feature.
        let shape = flags.contains(.question)
            ? (flags.contains(.exclamation) ? ScanTables.both : ScanTables.question) : ScanTables.exclamation
        emit(.emphasis, start, i, chars - len, chars, hash: shape, flags: flags, run: len)
    }

    mutating func scanPunctRun() {
        let start = i
        let byte = p[i]
        while i < n, p[i] == byte { i += 1 }
        let len = i - start
        chars += len
        emit(.punct, start, i, chars - len, chars, hash: rawHash(start, i), flags: [])
    }

    mutating func scanEmoji() {
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
        emit(.emoji, start, i, charStart, chars, hash: rawHash(start, i), flags: .nonASCII)
    }

    @inline(__always)
    mutating func emit(_ kind: TokenKind, _ a: Int, _ b: Int, _ ca: Int, _ cb: Int, hash: UInt64, flags: TokenFlags, run: Int = 0,
                       lowered: LoweredBytes = .absent) {
        Self.append(kind, a, b, ca, cb, hash: hash, flags: flags, run: run, lowered: lowered,
                    to: buffer, out: &out, loweredOut: &loweredOut, count: &count, capacity: &capacity)
    }

    /// Writes a token at `out[count]`, growing `buffer` first when it is full: `emit`'s body,
    /// on output state the caller may hold in locals (`scanPlainRun`).
    @inline(__always)
    static func append(_ kind: TokenKind, _ a: Int, _ b: Int, _ ca: Int, _ cb: Int, hash: UInt64, flags: TokenFlags, run: Int = 0,
                       lowered: LoweredBytes = .absent, to buffer: TokenBuffer, out: inout UnsafeMutablePointer<Token>,
                       loweredOut: inout UnsafeMutablePointer<LoweredBytes>, count: inout Int, capacity: inout Int) {
        if count == capacity {
            grow(buffer, keeping: count, toAtLeast: 0, out: &out, loweredOut: &loweredOut, capacity: &capacity)
        }
        store(kind, a, b, ca, cb, hash: hash, flags: flags, run: run, lowered: lowered, out: out, loweredOut: loweredOut, count: &count)
    }

    /// Grows `buffer` (see `TokenBuffer.grow`) and reloads the output state held in locals.
    static func grow(_ buffer: TokenBuffer, keeping count: Int, toAtLeast minimum: Int, out: inout UnsafeMutablePointer<Token>,
                     loweredOut: inout UnsafeMutablePointer<LoweredBytes>, capacity: inout Int) {
        buffer.grow(keeping: count, toAtLeast: minimum)
        out = buffer.base
        loweredOut = buffer.loweredBase
        capacity = buffer.capacity
    }

    /// Writes the plain run's token for bytes `a..<b` at `next` and its lowered bytes at
    /// `nextLowered` (where the caller has made room), and steps both on. Its character offsets
    /// are its byte offsets, which `scanPlainRun` shifts afterwards where they differ.
    @inline(__always)
    static func put(_ kind: TokenKind, _ a: Int, _ b: Int, hash: UInt64, flags: TokenFlags,
                    lowered: LoweredBytes = .absent, at next: inout UnsafeMutablePointer<Token>,
                    _ nextLowered: inout UnsafeMutablePointer<LoweredBytes>) {
        let start = Int32(truncatingIfNeeded: a), end = Int32(truncatingIfNeeded: b)
        nextLowered.initialize(to: lowered)
        next.initialize(to: Token(byteStart: start, byteEnd: end, charStart: start, charEnd: end, hash: hash, kind: kind, flags: flags))
        next += 1
        nextLowered += 1
    }

    /// Writes a token at `out[count]`, which the caller has made room for.
    @inline(__always)
    static func store(_ kind: TokenKind, _ a: Int, _ b: Int, _ ca: Int, _ cb: Int, hash: UInt64, flags: TokenFlags, run: Int = 0,
                      lowered: LoweredBytes = .absent, out: UnsafeMutablePointer<Token>,
                      loweredOut: UnsafeMutablePointer<LoweredBytes>, count: inout Int) {
        (loweredOut + count).initialize(to: lowered)
        (out + count).initialize(to: Token(
            byteStart: Int32(truncatingIfNeeded: a), byteEnd: Int32(truncatingIfNeeded: b),
            charStart: Int32(truncatingIfNeeded: ca), charEnd: Int32(truncatingIfNeeded: cb),
            hash: hash, kind: kind, flags: flags, runLength: UInt16(clamping: run)
        ))
        count &+= 1
    }
}
