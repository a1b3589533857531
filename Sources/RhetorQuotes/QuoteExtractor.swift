import Foundation
import RhetorText
import _RhetorKernels

/// How a quote sits in its sentence.
public enum QuoteKind: String, Sendable {
    /// A full statement, opening its sentence or following a cue and colon/comma.
    case direct
    /// Quoted words inside a paraphrase ("characterized the comments as “bizarre and threatening”").
    case partial
    /// One or two quoted words (scare quotes): reported, but not a statement of its own.
    case fragment
}

/// One quoted statement with its speaker.
public struct ExtractedQuote: Sendable, Equatable {
    /// Code-point offsets of the quoted words, marks excluded, end exclusive.
    public var start: Int
    public var end: Int
    public var text: String
    public var kind: QuoteKind
    /// Canonical speaker name, or nil when unknown.
    public var speaker: String?
    /// The mention that names the speaker in this article (a name, a title or a pronoun).
    public var speakerStart: Int?
    public var speakerEnd: Int?
    public var speakerMention: String?
    /// The attribution verb or phrase.
    public var cue: String?
}

/// Finds quoted statements in an article and attributes each to a speaker.
///
/// Quotes come from `QuoteScanner`. Speakers come from mentions outside quotes: capitalised name
/// runs with titles and modifiers (`President`, `French Defence Minister`) kept in the mention but
/// stripped from the canonical name, organisation phrases (`the Russian defence ministry`), and
/// pronouns and role nouns resolved to the most recent compatible speaker. Attribution patterns, in
/// order: `“...,” X said` and `“...,” said X` right after the quote; the nearest cue before the quote
/// in its sentence (`X said: “...”`, `X described Y as “...”`, `according to X`), whose speaker is the
/// nearest mention before the cue, or the sentence's subject when the cue is a participle
/// (`Macron, ..., rejecting ... as “ridiculous.”`); a later cue in the same sentence; else a quote
/// that continues the previous quote's paragraph or opens the next one keeps its speaker.
public struct QuoteExtractor: Sendable {
    public let lexicon: AttributionLexicon
    /// Alias → canonical name, matched case-insensitively on the canonical name.
    public var aliases: [String: String]

    /// Term hashes of words that open an organisation or group phrase ("the", "one", "his"), as
    /// a hash set (an array scan cost ~90 instructions a word), asked for the words that
    /// `mentionOpenerHashes` lets through.
    let determinerHashes = HashSet64(Self.determiners)
    static let determiners = ["the", "a", "an", "one", "two", "three", "several", "some", "many", "his", "her", "their", "its", "our", "other",
                              "another", "both", "all", "most"].map { TermHash.term($0) }
    /// Term hashes of lower-case words that may stand inside a name ("de", "van", "of").
    let connectorHashes = HashSet64(["de", "van", "von", "bin", "al", "da", "del", "la", "le", "di", "du", "der", "den", "of"].map { TermHash.term($0) })

    /// The hashes of words that may open a pronoun or role mention or an organisation phrase:
    /// `lexicon.pronounStarts` and the determiners. Most words are none of these, and one probe
    /// here spares them both lookups (each cost more than this one).
    let mentionOpenerHashes: HashSet64

    public init(lexicon: AttributionLexicon, aliases: [String: String] = [:]) {
        self.lexicon = lexicon
        mentionOpenerHashes = HashSet64(lexicon.pronounStarts + Self.determiners)
        self.aliases = Dictionary(aliases.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: - Internal structures

    enum MentionKind: Equatable {
        case name, org, pronounPerson, pronounGroup, pronounFirst, role
    }

    struct Mention {
        var tokStart: Int
        var tokEnd: Int
        var charStart: Int
        var charEnd: Int
        var kind: MentionKind
        /// Where the canonical name comes from: name tokens after titles and modifiers (names
        /// and orgs), the role word for roles. Made into a String by `Article.canonical(_:)`
        /// only when asked for.
        var name: NameSource
        var titled: Bool
        var sentence: Int
        var isPerson = false
    }

    /// Where a mention's canonical name comes from. Most mentions never name a quote's speaker,
    /// and a String per mention cost an allocation, its hashing and a release per element when
    /// the article's arrays were freed; these cases hold offsets only.
    enum NameSource: Equatable {
        /// `Article.name(of:)` of these tokens.
        case words(Range<Int>)
        /// The text of these code points.
        case text(Int, Int)
        /// A token's text, lower-cased (a role word).
        case lowercasedToken(Int)
        /// No name (pronouns).
        case none
    }

    struct Cue {
        var tokStart: Int
        var tokEnd: Int
        var kind: CueKind
        var participle: Bool
        /// Code points of the cue's text (`Article.text(_:_:)` makes it).
        var charStart: Int
        var charEnd: Int
    }

    /// Everything about one article needed to attribute its quotes.
    struct Article {
        let scalars: [UInt32]
        let tokens: [Token]
        let inQuote: [Bool]
        let sentence: [Int]
        /// Set once by `setMentions` (which indexes them by sentence); later edits keep each
        /// mention's sentence.
        private(set) var mentions: [Mention] = []
        private(set) var cues: [Cue] = []
        /// Sentence → the range of its mentions (or cues) in text order; arrays indexed by
        /// sentence number (sentences are numbered densely from 0).
        var mentionRanges: [Range<Int>?] = []
        var cueRanges: [Range<Int>?] = []
        /// The first token of every sentence (-1: none).
        var sentenceStarts: [Int] = []

        mutating func setMentions(_ m: [Mention]) {
            mentions = m
            mentionRanges = Self.ranges(m.map(\.sentence), sentences: sentenceStarts.count)
        }

        mutating func setCues(_ c: [Cue]) {
            cues = c
            cueRanges = Self.ranges(c.map { sentence[$0.tokStart] }, sentences: sentenceStarts.count)
        }

        /// Changes a mention's name fields (never its sentence, so the index stays valid).
        mutating func rename(_ i: Int, name: NameSource? = nil, isPerson: Bool) {
            if let name { mentions[i].name = name }
            mentions[i].isPerson = isPerson
        }

        /// A mention's canonical name.
        func canonical(_ m: Mention) -> String {
            switch m.name {
            case .words(let range): name(of: range)
            case .text(let a, let b): text(a, b)
            case .lowercasedToken(let t): tokenText(t).lowercased()
            case .none: ""
            }
        }

        /// A cue's text.
        func text(of cue: Cue) -> String { text(cue.charStart, cue.charEnd) }

        mutating func indexSentences() {
            let count = (sentence.max() ?? -1) + 1
            // Each sentence's first token, in a local array (writing the property per token
            // checked its uniqueness each time, and the reversed walk built an array).
            var starts = [Int](repeating: -1, count: count)
            for (i, s) in sentence.enumerated() where starts[s] < 0 { starts[s] = i }
            sentenceStarts = starts
        }

        func sentenceStart(_ s: Int) -> Int? {
            s >= 0 && s < sentenceStarts.count && sentenceStarts[s] >= 0 ? sentenceStarts[s] : nil
        }

        /// Runs of equal keys (sorted by text order, so each sentence's items are adjacent).
        static func ranges(_ keys: [Int], sentences: Int) -> [Range<Int>?] {
            var out = [Range<Int>?](repeating: nil, count: max(sentences, (keys.max() ?? -1) + 1))
            var i = 0
            while i < keys.count {
                var j = i
                while j < keys.count, keys[j] == keys[i] { j += 1 }
                out[keys[i]] = i..<j
                i = j
            }
            return out
        }

        func mentions(in s: Int) -> ArraySlice<Mention> {
            guard s >= 0, s < mentionRanges.count, let r = mentionRanges[s] else { return [] }
            return mentions[r]
        }

        func cues(in s: Int) -> ArraySlice<Cue> {
            guard s >= 0, s < cueRanges.count, let r = cueRanges[s] else { return [] }
            return cues[r]
        }

        /// The index of the first token starting at or after code point `c` (binary search).
        func token(atOrAfter c: Int) -> Int {
            var lo = 0, hi = tokens.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(tokens[mid].charStart) < c { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// The index of the first mention starting at or after token `t` (binary search).
        func mentionIndex(atOrAfter t: Int) -> Int {
            var lo = 0, hi = mentions.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if mentions[mid].tokStart < t { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// Code points `a..<b` clamped to the article.
        func clamped(_ a: Int, _ b: Int) -> Range<Int> { max(0, a)..<max(max(0, a), min(b, scalars.count)) }

        /// The text of code points `a..<b` (clamped to the article), written straight into the
        /// String's storage: one allocation.
        func text(_ a: Int, _ b: Int) -> String {
            let range = clamped(a, b)
            // ASCII (most names and cues): one byte per code point.
            let ascii = scalars[range].allSatisfy { $0 < 0x80 }
            return String(unsafeUninitializedCapacity: (ascii ? 1 : 4) * range.count) { out in
                range.isEmpty ? 0 : writeText(a, b, to: out.baseAddress!)
            }
        }

        func tokenText(_ i: Int) -> String { text(Int(tokens[i].charStart), Int(tokens[i].charEnd)) }

        /// `tokenText(i).lowercased().hasSuffix(suffix)` for an ASCII lower-case suffix. Read from
        /// the code points when the suffix's and the one before it are ASCII: then each of the
        /// last Characters is one code point. Otherwise through Strings, as the definition says.
        func hasLowercasedSuffix(_ i: Int, _ suffix: StaticString) -> Bool {
            hasLowercasedSuffix(Int(tokens[i].charStart), Int(tokens[i].charEnd), suffix)
        }

        /// `text(a, b).lowercased().hasSuffix(suffix)`, read the same way.
        func hasLowercasedSuffix(_ a: Int, _ b: Int, _ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard b - a >= n, a >= 0, b <= scalars.count else { return text(a, b).lowercased().hasSuffix(suffix.description) }
            if scalars[max(a, b - n - 1)..<b].allSatisfy({ $0 < 0x80 }) {
                let p = suffix.utf8Start
                for k in 0..<n where scalars[b - n + k] | 0x20 != UInt32(p[k]) { return false }
                return true
            }
            return text(a, b).lowercased().hasSuffix(suffix.description)
        }

        /// The canonical name of the words among tokens `range`: their texts joined by single
        /// spaces, a one-letter word (an initial) followed by ".", and the middle initials of a
        /// name of three or more words left out ("Donald J. Trump" is "Donald Trump"). Built as
        /// UTF-8 in one buffer: this runs for every name run of every article.
        func name(of range: Range<Int>) -> String {
            let room = nameRoom(of: range)
            // Written straight into the String's storage: building an array first and decoding
            // it cost a second allocation and copy per name.
            return String(unsafeUninitializedCapacity: room) { out in
                range.isEmpty ? 0 : writeName(of: range, to: out.baseAddress!)
            }
        }

        /// An upper bound of the UTF-8 length of `name(of: range)`: exact for valid text.
        func nameRoom(of range: Range<Int>) -> Int {
            var room = 0
            for t in range where tokens[t].kind != .punct {
                // A space, the word's UTF-8 length, and a full stop. Counted exactly (not at four
                // bytes a code point): a name of up to 15 bytes is then a small String, with no
                // allocation.
                room += 2
                for c in scalars[clamped(Int(tokens[t].charStart), Int(tokens[t].charEnd))] {
                    room += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
                }
            }
            return room
        }

        /// Writes the UTF-8 of `name(of: range)` to `p` (room for `nameRoom(of: range)` bytes)
        /// and returns its length.
        func writeName(of range: Range<Int>, to p: UnsafeMutablePointer<UInt8>) -> Int {
            var words = 0
            for t in range where tokens[t].kind != .punct { words += 1 }
            var n = 0
            var k = 0
            for t in range where tokens[t].kind != .punct {
                let a = Int(tokens[t].charStart), b = Int(tokens[t].charEnd)
                let initial = b - a == 1
                defer { k += 1 }
                if words >= 3, initial, k != 0, k != words - 1 { continue }
                if n > 0 { p[n] = 0x20; n += 1 }
                n += writeText(a, b, to: p + n)
                if initial { p[n] = 0x2E; n += 1 }
            }
            return n
        }

        /// Writes the UTF-8 of code points `a..<b` (clamped to the article; values that are not
        /// Unicode scalars are skipped) to `p`, with room for four bytes per code point, and
        /// returns its length.
        func writeText(_ a: Int, _ b: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
            var n = 0
            for c in scalars[clamped(a, b)] {
                if c < 0x80 {
                    p[n] = UInt8(truncatingIfNeeded: c)
                    n += 1
                } else if let u = Unicode.Scalar(c) {
                    for byte in UTF8.encode(u)! {
                        p[n] = byte
                        n += 1
                    }
                }
            }
            return n
        }
    }

    // MARK: - Extraction

    /// Extracts the quotes of one article, in text order.
    ///
    /// - Complexity: O(n) in the article length for scanning and tokenizing; attribution looks at
    ///   one sentence (and the mention list up to it) per quote.
    /// The Unicode scalar values of a text; pure-ASCII text (found 16 bytes at a time by
    /// `ByteScan.asciiPrefix`) is widened byte by byte without decoding.
    static func scalarValues(_ text: String) -> [UInt32] {
        var copy = text
        return copy.withUTF8 { bytes in
            if ByteScan.asciiPrefix(bytes) == bytes.count {
                // A plain counted loop the compiler widens 16 bytes at a time (`map` did not).
                return [UInt32](unsafeUninitializedCapacity: bytes.count) { out, n in
                    for i in 0..<bytes.count { out[i] = UInt32(bytes[i]) }
                    n = bytes.count
                }
            }
            return text.unicodeScalars.map(\.value)
        }
    }

    public func extract(_ text: String) -> [ExtractedQuote] {
        var copy = text
        guard copy.withUTF8(QuoteScanner.mayHaveQuotes) else { return [] }
        let scalars = Self.scalarValues(text)
        let spans = copy.withUTF8 { QuoteScanner.scan(scalars, asciiUTF8: $0.count == scalars.count ? $0 : nil) }
        // No quote marks, no quotes: skip the article analysis (most wire stories have none).
        guard !spans.isEmpty else { return [] }
        var inQuoteChar = [Bool](repeating: false, count: scalars.count + 1)
        for s in spans {
            let hi = min(scalars.count - 1, s.closeMark ?? (s.end - 1))
            if s.openMark <= hi { for k in s.openMark...hi { inQuoteChar[k] = true } }
        }
        let tokens = Tokenizer().tokenize(text)
        // Written in place: `map` appended with a capacity test per token.
        let inQuote = [Bool](unsafeUninitializedCapacity: tokens.count) { out, n in
            for (k, t) in tokens.enumerated() { out[k] = inQuoteChar[Int(t.charStart)] }
            n = tokens.count
        }
        var article = Article(scalars: scalars, tokens: tokens, inQuote: inQuote, sentence: sentences(scalars, tokens, spans))
        article.indexSentences()
        article.setMentions(mentions(article))
        article.setCues(cues(article))
        resolvePersons(&article)

        var result: [ExtractedQuote] = []
        var previous: (quote: ExtractedQuote, span: QuoteSpan)?
        for span in spans {
            let firstTok = article.token(atOrAfter: span.start)
            let endTok = article.token(atOrAfter: span.end)
            let quoteTokens = firstTok < endTok ? Array(tokens[firstTok..<endTok]) : []
            let words = quoteTokens.filter { $0.kind == .word || $0.kind == .number }.count
            guard words > 0 else { continue }
            let openTok = max(0, min(tokens.count - 1, article.token(atOrAfter: span.openMark + 1) - 1))
            let closeTok: Int? = span.closeMark.flatMap { c in
                let t = article.token(atOrAfter: c)
                return t < tokens.count ? t : nil
            }
            if isTitleOfWork(article, quoteTokens, openTok: openTok) { continue }
            var q = ExtractedQuote(start: span.start, end: span.end, text: article.text(span.start, span.end),
                                   kind: .partial, speaker: nil, speakerStart: nil, speakerEnd: nil, speakerMention: nil, cue: nil)
            if inHeadline(article, span) { continue }
            let attribution = attribute(article, openTok: openTok, closeTok: closeTok)
            // Title Case words with no speech cue are a title (a show, a book, a song), not a statement.
            if attribution == nil, !span.continuesPrevious, isTitleCase(quoteTokens) { continue }
            if let (m, cue) = attribution {
                let (name, mention) = resolve(article, m)
                q.speaker = name.map(applyAlias)
                if name != nil {
                    q.speakerStart = mention.charStart
                    q.speakerEnd = mention.charEnd
                    q.speakerMention = article.text(mention.charStart, mention.charEnd)
                }
                q.cue = cue
            }
            if q.speaker == nil, let prev = previous, continues(article, span, after: prev.span) {
                q.speaker = prev.quote.speaker
                q.speakerStart = prev.quote.speakerStart
                q.speakerEnd = prev.quote.speakerEnd
                q.speakerMention = prev.quote.speakerMention
                q.cue = q.cue ?? prev.quote.cue
            }
            q.kind = words <= 2 ? .fragment : (startsStatement(article, openTok: openTok, quoteTokens: quoteTokens) ? .direct : .partial)
            if q.speaker == nil, q.kind != .direct, let m = subject(article, sentence: article.sentence[openTok], before: openTok) {
                let (name, mention) = resolve(article, m)
                if let name {
                    q.speaker = applyAlias(name)
                    q.speakerStart = mention.charStart
                    q.speakerEnd = mention.charEnd
                    q.speakerMention = article.text(mention.charStart, mention.charEnd)
                }
            }
            result.append(q)
            previous = (q, span)
        }
        return result
    }

    func applyAlias(_ name: String) -> String { aliases[name.lowercased()] ?? name }

    // MARK: - Sentences

    /// The sentence number of every token. A sentence ends after `.`, `!` or `?` outside quotes
    /// (or at a closing quote mark whose quote ends with one) when the next token starts with a
    /// capital or an opening quote, unless the stop follows an abbreviation or an initial; and at
    /// every paragraph break.
    func sentences(_ s: [UInt32], _ tokens: [Token], _ spans: [QuoteSpan]) -> [Int] {
        var out = [Int](repeating: 0, count: tokens.count)
        // Closing marks in ascending order, passed in step with the tokens (a Set cost a
        // hashed lookup at every sentence-ending candidate).
        let closeMarks = spans.compactMap(\.closeMark).sorted()
        var nextClose = 0
        var current = 0
        for i in tokens.indices {
            out[i] = current
            guard i + 1 < tokens.count else { break }
            let t = tokens[i], nxt = tokens[i + 1]
            var paragraph = false
            for k in Int(t.charEnd)..<Int(nxt.charStart) where s[k] == 0x0A { paragraph = true; break }
            if paragraph { current += 1; continue }
            // Only a full stop, an emphasis run or a closing mark ends a sentence; a word or a
            // number (most tokens) never starts with one.
            if t.kind == .word || t.kind == .number { continue }
            let c = s[Int(t.charStart)]
            let nextStartsSentence: Bool = {
                let f = s[Int(nxt.charStart)]
                return (f >= 0x41 && f <= 0x5A) || f == 0x201C || f == 0x22 || f == 0x2018 || f == 0xAB || (f == 0x27 && nxt.byteCount == 2)
            }()
            guard nextStartsSentence else { continue }
            if (c == 0x2E && t.kind == .punct) || t.kind == .emphasis {
                if i > 0, isAbbreviation(tokens[i - 1], s) { continue }
                current += 1
            } else if i > 0, Self.advance(&nextClose, in: closeMarks, to: Int(t.charStart)) {
                let p = s[Int(tokens[i - 1].charStart)]
                if p == 0x2E || p == 0x21 || p == 0x3F { current += 1 }
            }
        }
        return out
    }

    /// Moves `cursor` past the values of the ascending `values` below `position` and tells
    /// whether the next one is `position`. Asked with ascending positions, it answers
    /// `values.contains(position)`.
    static func advance(_ cursor: inout Int, in values: [Int], to position: Int) -> Bool {
        while cursor < values.count, values[cursor] < position { cursor += 1 }
        return cursor < values.count && values[cursor] == position
    }

    /// The term hash of ".", which abbreviations end with in the lexicon (made once: it was an
    /// array and a hash per sentence end).
    static let fullStopTerm = TermHash.term(Array(".".utf8))

    func isAbbreviation(_ t: Token, _ s: [UInt32]) -> Bool {
        if t.kind == .word, t.charEnd - t.charStart == 1 { return true }  // an initial: J. Smith, U.S.
        let withDot = TermHash.combine(t.hash, Self.fullStopTerm)
        if let k = lexicon.words[withDot], k == .abbreviation || k == .title { return true }
        return false
    }

    // MARK: - Mentions

    @inline(__always)
    func kindAt(_ a: Article, _ i: Int, limit: Int) -> (SpeakerWordKind, Int)? {
        // Most tokens start no entry: the table's filter bit answers inline, without the call.
        guard i < limit, lexicon.words.mayStart(a.tokens[i].hash) else { return nil }
        return lexicon.longest(lexicon.words, max: lexicon.wordMaxTokens, a.tokens, at: i, limit: limit)
    }

    /// The mention kind of a pronoun or role-noun lexicon kind, nil for other kinds.
    static func pronounMention(_ k: SpeakerWordKind) -> MentionKind? {
        switch k {
        case .pronounPerson: .pronounPerson
        case .pronounGroup: .pronounGroup
        case .pronounFirst: .pronounFirst
        case .pronounRole: .role
        default: nil
        }
    }

    func isCapitalized(_ t: Token) -> Bool { t.kind == .word && (t.flags.contains(.capitalized) || t.flags.contains(.allCaps)) }

    /// Name runs, organisation phrases, pronouns and role nouns outside quotes, in text order.
    func mentions(_ a: Article) -> [Mention] {
        let toks = a.tokens
        var out: [Mention] = []
        // Words the article also writes in lower case ("back", "early") are not names when they
        // open a sentence. Such one-word mentions are kept here (their index in `out`, their
        // term hash) and checked after the walk, in one pass over the tokens for just these
        // hashes: a set of every lower-case word cost ~20,000 instructions an article.
        var sentenceOpeners: [(mention: Int, hash: UInt64)] = []
        var i = 0
        while i < toks.count {
            if a.inQuote[i] { i += 1; continue }
            let t = toks[i]
            let mayOpen = mentionOpenerHashes.contains(t.hash)
            // Pronouns and role nouns ("he", "the minister").
            if mayOpen, let (k, len) = kindAt(a, i, limit: toks.count), let kind = Self.pronounMention(k) {
                let role: NameSource = kind == .role ? .lowercasedToken(i + len - 1) : .none
                // "The president" followed by a name is a titled name, handled below.
                if !(kind == .role && i + len < toks.count && isCapitalized(toks[i + len])) {
                    out.append(Mention(tokStart: i, tokEnd: i + len, charStart: Int(t.charStart), charEnd: Int(toks[i + len - 1].charEnd),
                                       kind: kind, name: role, titled: false, sentence: a.sentence[i]))
                    i += len
                    continue
                }
            }
            // Organisation phrases: determiner + up to four words + an organisation head noun.
            if mayOpen, t.kind == .word, determinerHashes.contains(t.hash) {
                var j = i + 1
                var found: Int?
                while j < min(toks.count, i + 6), toks[j].kind == .word, !a.inQuote[j], a.sentence[j] == a.sentence[i] {
                    if let (k, len) = kindAt(a, j, limit: toks.count), k == .orgHead || k == .title {
                        found = j + len
                        if j + len < toks.count, toks[j + len].kind == .word, let nk = kindAt(a, j + len, limit: toks.count)?.0, nk == .orgHead || nk == .title { j += len; continue }
                        break
                    }
                    j += 1
                }
                if let end = found, end > i + 1 {
                    let start = i + 1
                    // A capitalised phrase ending in a head noun is handled as a name run below.
                    if !isCapitalized(toks[start]) || !isCapitalized(toks[end - 1]) {
                        out.append(Mention(tokStart: start, tokEnd: end, charStart: Int(toks[start].charStart), charEnd: Int(toks[end - 1].charEnd),
                                           kind: .org, name: .text(Int(toks[start].charStart), Int(toks[end - 1].charEnd)), titled: false,
                                           sentence: a.sentence[start]))
                        i = end
                        continue
                    }
                }
            }
            guard isCapitalized(t) else { i += 1; continue }
            // A capitalised run: names with titles, initials and connectors.
            var j = i
            var runCount = 0
            while j < toks.count, !a.inQuote[j], a.sentence[j] == a.sentence[i] {
                let u = toks[j]
                if isCapitalized(u) {
                    if let (k, _) = kindAt(a, j, limit: j + 1), k == .stop, runCount > 0 { break }
                    runCount += 1
                    j += 1
                    // Abbreviated titles and initials keep their full stop inside the run.
                    if j < toks.count, a.scalars[Int(toks[j].charStart)] == 0x2E, toks[j].kind == .punct, toks[j].byteCount == 1,
                       isAbbreviation(u, a.scalars), j + 1 < toks.count, isCapitalized(toks[j + 1]) {
                        j += 1
                    }
                    continue
                }
                if u.kind == .word, !isCapitalized(u), connectorHashes.contains(u.hash), j + 1 < toks.count, isCapitalized(toks[j + 1]), runCount > 0 {
                    j += 1
                    continue
                }
                break
            }
            defer { i = max(j, i + 1) }
            // Drop leading stop words ("But", "The", "Wednesday").
            var start = i
            while start < j, let (k, len) = kindAt(a, start, limit: j), k == .stop { start += len }
            while start < j, !isCapitalized(toks[start]) || lexicon.cues[toks[start].hash] != nil { start += 1 }
            guard start < j else { continue }
            // Strip titles and modifiers from the canonical name.
            var nameStart = start
            var titled = false
            while nameStart < j, let (k, len) = kindAt(a, nameStart, limit: j), k == .title || k == .modifier {
                if k == .title { titled = true }
                nameStart += len
                while nameStart < j, toks[nameStart].kind == .punct { nameStart += 1 }
            }
            var isOrg = false
            var k = start
            while k < j {
                if let (kind, len) = kindAt(a, k, limit: j), kind == .orgHead { isOrg = true; k += len } else { k += 1 }
            }
            let charStart = Int(toks[start].charStart)
            let charEnd = Int(toks[j - 1].charEnd)
            let opensSentence = start == 0 || a.sentence[start - 1] != a.sentence[start]
            let opener = opensSentence && j - start == 1 && !titled
            if opener {
                let nextIsStop = j < toks.count && toks[j].kind == .word && kindAt(a, j, limit: j + 1)?.0 == .stop
                if a.hasLowercasedSuffix(start, "ing") || a.hasLowercasedSuffix(start, "ly") || nextIsStop { continue }
            }
            if nameStart >= j {
                // Only a title ("President"): a role mention.
                if titled {
                    out.append(Mention(tokStart: start, tokEnd: j, charStart: charStart, charEnd: charEnd, kind: .role,
                                       name: .lowercasedToken(j - 1), titled: true, sentence: a.sentence[start]))
                }
                continue
            }
            if opener { sentenceOpeners.append((out.count, toks[start].hash)) }
            // Middle initials do not name a different person: "Donald J. Trump" is "Donald Trump".
            out.append(Mention(tokStart: start, tokEnd: j, charStart: charStart, charEnd: charEnd, kind: isOrg ? .org : .name,
                               name: isOrg ? .text(Int(toks[nameStart].charStart), charEnd) : .words(nameStart..<j), titled: titled, sentence: a.sentence[start]))
        }
        return Self.droppingLowercaseOpeners(out, sentenceOpeners, toks)
    }

    /// `mentions` without the sentence openers whose word the article also writes in lower case
    /// (a word token neither capitalised nor all capitals, with the same term hash). One pass
    /// over the tokens; a 64-bit filter on the hashes' top bits answers most tokens at once.
    static func droppingLowercaseOpeners(_ mentions: [Mention], _ openers: [(mention: Int, hash: UInt64)], _ toks: [Token]) -> [Mention] {
        guard !openers.isEmpty else { return mentions }
        var filter: UInt64 = 0
        for o in openers { filter |= 1 << (o.hash >> 58) }
        var lowercase: [UInt64] = []
        for t in toks where t.kind == .word && filter & (1 << (t.hash >> 58)) != 0
            && !t.flags.contains(.capitalized) && !t.flags.contains(.allCaps) {
            if openers.contains(where: { $0.hash == t.hash }), !lowercase.contains(t.hash) { lowercase.append(t.hash) }
        }
        guard !lowercase.isEmpty else { return mentions }
        var out = mentions
        for o in openers.reversed() where lowercase.contains(o.hash) { out.remove(at: o.mention) }
        return out
    }

    /// Gives single-word names the article's full name with the same last word, and marks persons.
    ///
    /// A single-word name takes the full name that most often has it as its last word (on a tie,
    /// the one that sorts first). Names are compared as `String`s compare (Unicode canonical
    /// equivalence); when both are ASCII, a byte hash and the bytes answer the same question
    /// without making Strings. An article has a few dozen name mentions, so candidates are found
    /// by a scan rather than in dictionaries (which cost ~2,000 instructions a mention).
    func resolvePersons(_ a: inout Article) {
        // Made from the article borrowed, not captured: a closure over the inout article copied
        // it (a retain of each of its arrays) once per name.
        let (bytes, names) = Self.nameKeys(a)
        let multiWord = names.filter { !$0.isSingleWord }
        var tally: [(full: Int, count: Int)] = []  // an index into `multiWord`, how often
        for name in names {
            guard name.isSingleWord else {
                a.rename(name.mention, isPerson: true)
                continue
            }
            // Full names whose last word is this name, with how often each occurs.
            tally.removeAll(keepingCapacity: true)
            for f in multiWord.indices where NameKey.lastWord(of: multiWord[f], equals: name, in: bytes) {
                if let k = tally.firstIndex(where: { NameKey.full(multiWord[$0.full], equals: multiWord[f], in: bytes) }) {
                    tally[k].count += 1
                } else {
                    tally.append((f, 1))
                }
            }
            let best = tally.max { x, y in
                x.count != y.count ? x.count < y.count : multiWord[x.full].string(in: bytes) > multiWord[y.full].string(in: bytes)
            }
            if let best {
                a.rename(name.mention, name: a.mentions[multiWord[best.full].mention].name, isPerson: true)
            } else {
                a.rename(name.mention, isPerson: a.mentions[name.mention].titled)
            }
        }
    }

    /// Every name mention's canonical name as UTF-8 in one buffer (Strings are made only for
    /// speakers), and its key.
    static func nameKeys(_ a: Article) -> (bytes: [UInt8], names: [NameKey]) {
        var room = 0
        for m in a.mentions where m.kind == .name {
            if case .words(let range) = m.name { room += a.nameRoom(of: range) }
        }
        // One spare byte: the buffer always has an address, even with no names.
        var bytes = [UInt8](repeating: 0, count: room + 1)
        var names: [NameKey] = []
        names.reserveCapacity(a.mentions.count)
        bytes.withUnsafeMutableBufferPointer { buffer in
            var used = 0
            for (i, m) in a.mentions.enumerated() where m.kind == .name {
                guard case .words(let range) = m.name else { continue }
                let n = a.writeName(of: range, to: buffer.baseAddress! + used)
                names.append(NameKey(mention: i, bytes: UnsafeBufferPointer(rebasing: buffer[used..<(used + n)]), at: used))
                used += n
            }
        }
        return (bytes, names)
    }

    /// What `resolvePersons` compares of a name mention's canonical name: where its UTF-8 lies in
    /// the names' buffer, where its last word starts (canonical names separate words by single
    /// spaces), whether it is ASCII, and FNV-1a hashes of its bytes and of its last word's bytes.
    struct NameKey {
        let mention: Int
        /// The name's bytes: `bytes[start..<end]` of the names' buffer.
        let start: Int
        let end: Int
        /// Buffer offset of the last word (`start`: a single word).
        let lastWordStart: Int
        let isASCII: Bool
        let fullHash: UInt64
        let lastWordHash: UInt64

        /// The key of a name whose UTF-8 is `name`, found at offset `at` of the names' buffer.
        init(mention: Int, bytes name: UnsafeBufferPointer<UInt8>, at: Int) {
            self.mention = mention
            var last = 0
            var high: UInt8 = 0
            var full = TermHash.fnvOffset
            var word = TermHash.fnvOffset
            for (k, byte) in name.enumerated() {
                high |= byte
                full = (full ^ UInt64(byte)) &* TermHash.fnvPrime
                if byte == 0x20 {
                    last = k + 1
                    word = TermHash.fnvOffset
                } else {
                    word = (word ^ UInt64(byte)) &* TermHash.fnvPrime
                }
            }
            (start, end, lastWordStart, isASCII, fullHash, lastWordHash) = (at, at + name.count, at + last, high < 0x80, full, word)
        }

        var isSingleWord: Bool { lastWordStart == start }

        /// The name as a String (made only to compare non-ASCII names, or to break a tie).
        func string(in bytes: [UInt8]) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

        /// True when the last word of `full`'s name equals `single`'s name as Strings compare
        /// (Unicode canonical equivalence); for two ASCII names, by hash and bytes.
        static func lastWord(of full: NameKey, equals single: NameKey, in bytes: [UInt8]) -> Bool {
            if full.isASCII, single.isASCII {
                guard full.lastWordHash == single.fullHash, full.end - full.lastWordStart == single.end - single.start else { return false }
                return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + full.lastWordStart, $0.baseAddress! + single.start, single.end - single.start) == 0 }
            }
            return String(decoding: bytes[full.lastWordStart..<full.end], as: UTF8.self) == single.string(in: bytes)
        }

        /// True when the two names are equal as Strings compare; for two ASCII names, by hash and bytes.
        static func full(_ x: NameKey, equals y: NameKey, in bytes: [UInt8]) -> Bool {
            if x.isASCII, y.isASCII {
                guard x.fullHash == y.fullHash, x.end - x.start == y.end - y.start else { return false }
                return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + x.start, $0.baseAddress! + y.start, x.end - x.start) == 0 }
            }
            return x.string(in: bytes) == y.string(in: bytes)
        }
    }

    // MARK: - Cues

    func cues(_ a: Article) -> [Cue] {
        var out: [Cue] = []
        var i = 0
        while i < a.tokens.count {
            if !a.inQuote[i], a.tokens[i].kind == .word, lexicon.cues.mayStart(a.tokens[i].hash), let (kind, len) = lexicon.longest(lexicon.cues, max: lexicon.cueMaxTokens, a.tokens, at: i, limit: a.tokens.count) {
                let charStart = Int(a.tokens[i].charStart), charEnd = Int(a.tokens[i + len - 1].charEnd)
                out.append(Cue(tokStart: i, tokEnd: i + len, kind: kind, participle: a.hasLowercasedSuffix(charStart, charEnd, "ing"),
                               charStart: charStart, charEnd: charEnd))
                i += len
            } else {
                i += 1
            }
        }
        return out
    }

    // MARK: - Attribution

    /// The mention and cue text for the quote whose opening mark is token `openTok`.
    func attribute(_ a: Article, openTok: Int, closeTok: Int?) -> (Mention, String?)? {
        let sentOpen = a.sentence[openTok]
        // 1. Right after the quote: “...,” X said / “...,” said X.
        if let c = closeTok, c < a.tokens.count {
            var k = c + 1
            while k < a.tokens.count, a.tokens[k].kind == .punct, !a.inQuote[k], !paragraphBreak(a, k - 1, k) { k += 1 }
            // The attribution may follow a quote that ends with ! or ? ("All the way!" Dawson
            // shouted); after a full stop the next sentence is a new one.
            let sent = k < a.tokens.count ? a.sentence[k] : a.sentence[c]
            let endsWithStop = c > 0 && a.scalars[Int(a.tokens[c - 1].charStart)] == 0x2E
            if k < a.tokens.count, !a.inQuote[k], !paragraphBreak(a, c, k), sent == a.sentence[c] || !endsWithStop {
                if let m = a.mentions(in: sent).first(where: { $0.tokStart == k }),
                   let cue = a.cues(in: sent).first(where: { $0.tokStart >= m.tokEnd && $0.tokStart <= m.tokEnd + 12 && $0.kind != .phrase }),
                   !(m.tokEnd..<cue.tokStart).contains(where: { a.inQuote[$0] }) {
                    return (m, a.text(of: cue))
                }
                // Inverted order takes a finite speech verb right before its subject ("said Smith").
                if let cue = a.cues(in: sent).first(where: { $0.tokStart == k && $0.kind == .verb && !$0.participle }) {
                    if let m = a.mentions(in: sent).first(where: { $0.tokStart >= cue.tokEnd && $0.tokStart <= cue.tokEnd + 1 }) {
                        return (m, a.text(of: cue))
                    }
                }
            }
        }
        // 2. The nearest cue before the quote in its sentence; after "as", the nearest as-verb
        // (X characterized the comments as “...”).
        let afterAs = openTok > 0 && a.tokenText(openTok - 1).lowercased() == "as"
        let before = a.cues(in: sentOpen).filter { $0.tokEnd <= openTok && $0.kind != .postVerb }
        if let cue = before.last(where: { !afterAs || $0.kind == .asVerb }) ?? before.last {
            if let m = speaker(of: cue, in: a, sentence: sentOpen) { return (m, a.text(of: cue)) }
        }
        // X: “...”
        if openTok > 0, a.scalars[Int(a.tokens[openTok - 1].charStart)] == 0x3A,
           let m = a.mentions(in: sentOpen).last(where: { $0.tokEnd == openTok - 1 }) {
            return (m, ":")
        }
        // A quote opening a paragraph after one that ends with a colon ("Cruz continued:").
        if openTok > 0, a.scalars[Int(a.tokens[openTok - 1].charStart)] == 0x3A, paragraphBreak(a, openTok - 1, openTok) {
            let sent = a.sentence[openTok - 1]
            if let cue = a.cues(in: sent).last(where: { $0.tokEnd <= openTok - 1 && $0.kind != .postVerb }),
               let m = speaker(of: cue, in: a, sentence: sent) {
                return (m, a.text(of: cue))
            }
            if let m = subject(a, sentence: sent, before: openTok) { return (m, ":") }
        }
        // 3. A later cue in the closing sentence (“...” on Tuesday, Smith said).
        if let c = closeTok, c < a.tokens.count {
            let sent = a.sentence[c]
            // Scare quotes between the quote and the cue do not break the link; a longer quote does.
            if let cue = a.cues(in: sent).first(where: { $0.tokStart > c }),
               (c + 1..<cue.tokStart).filter({ a.inQuote[$0] && a.tokens[$0].kind == .word }).count <= 3,
               let m = speaker(of: cue, in: a, sentence: sent, after: c) {
                return (m, a.text(of: cue))
            }
        }
        return nil
    }

    /// The speaker mention of a cue: the subject for participles, the mention after `according
    /// to`, else the nearest mention before the cue (or after it, for inverted order).
    func speaker(of cue: Cue, in a: Article, sentence: Int, after floor: Int = -1) -> Mention? {
        let inSentence = a.mentions(in: sentence).filter { $0.tokStart > floor && $0.kind != .pronounFirst }
        if cue.kind == .phrase {
            return inSentence.first { $0.tokStart >= cue.tokEnd }
        }
        let before = inSentence.filter { $0.tokEnd <= cue.tokStart }
        let prevIsComma = cue.tokStart > 0 && a.tokens[cue.tokStart - 1].kind == .punct && a.scalars[Int(a.tokens[cue.tokStart - 1].charStart)] == 0x2C
        // Inverted after a comma: "..., says Carl Anthony, ..."
        // ...only when the name closes the phrase ("..., says Carl Anthony, historian"), not when it
        // starts the reported clause ("..., says Cruz will win").
        if prevIsComma, !cue.participle, let m = inSentence.first(where: { $0.tokStart == cue.tokEnd && $0.kind == .name }),
           m.tokEnd >= a.tokens.count || a.sentence[m.tokEnd] != sentence || a.tokens[m.tokEnd].kind == .punct {
            return m
        }
        let coordinated = cue.tokStart > 0 && ["and", "but"].contains(a.tokenText(cue.tokStart - 1).lowercased())
        if cue.participle || coordinated, let subject = subject(a, sentence: sentence, before: cue.tokStart) { return subject }
        // The subject right before the verb, with only lower-case words between ("Moscow suggested",
        // "Trump has repeatedly said").
        if let m = before.last, (m.tokEnd..<cue.tokStart).count <= 3,
           (m.tokEnd..<cue.tokStart).allSatisfy({ a.tokens[$0].kind == .word && !isCapitalized(a.tokens[$0]) }) {
            return m
        }
        // An appositive or relative clause between subject and verb ("Whitman, a former candidate
        // who now runs HPE, labeled ..."): the mention before the comma that opens it.
        if prevIsComma {
            var k = cue.tokStart - 2
            while k > 0, !(a.tokens[k].kind == .punct && a.scalars[Int(a.tokens[k].charStart)] == 0x2C), a.sentence[k] == sentence { k -= 1 }
            if let m = before.last(where: { $0.tokEnd == k }) { return m }
        }
        if let m = before.last { return m }
        return inSentence.first { $0.tokStart >= cue.tokEnd && $0.tokStart <= cue.tokEnd + 5 }
    }

    /// The subject of a sentence: its first mention, after a leading prepositional phrase
    /// ("In his first YouTube dispatches, Santilli ...") when there is one.
    func subject(_ a: Article, sentence: Int, before limit: Int) -> Mention? {
        let candidates = a.mentions(in: sentence).filter { $0.tokEnd <= limit && $0.kind != .pronounFirst }
        guard let first = candidates.first else { return nil }
        guard let start = a.sentenceStart(sentence), a.tokens[start].kind == .word,
              kindAt(a, start, limit: start + 1)?.0 == .stop, !a.mentions(in: sentence).contains(where: { $0.tokStart == start }) else { return first }
        // Skip to the first comma of the sentence.
        var k = start
        while k < limit, a.sentence[k] == sentence, !(a.tokens[k].kind == .punct && a.scalars[Int(a.tokens[k].charStart)] == 0x2C) { k += 1 }
        return candidates.first { $0.tokStart > k } ?? first
    }

    func paragraphBreak(_ a: Article, _ t: Int, _ u: Int) -> Bool {
        guard t < u, u < a.tokens.count else { return false }
        return a.scalars[Int(a.tokens[t].charEnd)..<Int(a.tokens[u].charStart)].contains(0x0A)
    }

    /// The canonical name and the naming mention for a mention, resolving pronouns and roles.
    func resolve(_ a: Article, _ m: Mention) -> (String?, Mention) {
        switch m.kind {
        case .name, .org:
            return (a.canonical(m), m)
        case .pronounFirst:
            return (nil, m)
        case .pronounPerson, .role:
            // Look back over at most `lookBack` mentions, so resolution stays O(1) per quote.
            let before = a.mentions[max(0, a.mentionIndex(atOrAfter: m.tokStart) - Self.lookBack)..<a.mentionIndex(atOrAfter: m.tokStart)]
                .filter { $0.tokEnd <= m.tokStart && $0.kind == .name && $0.isPerson }
            if m.kind == .role {
                let role = a.canonical(m)
                if let titled = before.last(where: { $0.titled && a.text($0.charStart, $0.charEnd).lowercased().contains(role) }) {
                    return (a.canonical(titled), m)
                }
            }
            // Prefer the latest sentence subject among recent sentences, else the latest person.
            let recentSubjects = before.filter { s in
                s.sentence >= m.sentence - 3 && a.mentions(in: s.sentence).first?.tokStart == s.tokStart
            }
            if let s = recentSubjects.last ?? before.last { return (a.canonical(s), m) }
            return (nil, m)
        case .pronounGroup:
            let window = a.mentions[max(0, a.mentionIndex(atOrAfter: m.tokStart) - Self.lookBack)..<a.mentionIndex(atOrAfter: m.tokStart)]
            if let o = window.last(where: { $0.tokEnd <= m.tokStart && ($0.kind == .org || ($0.kind == .name && !$0.isPerson)) }) {
                return (a.canonical(o), m)
            }
            return (nil, m)
        }
    }

    /// How many earlier mentions pronoun resolution looks at.
    static let lookBack = 200

    /// True when a quote without attribution continues the previous quote: a later paragraph of a
    /// multi-paragraph quote, a quote in the same paragraph, or a paragraph that opens with a quote
    /// right after the previous quote's paragraph.
    func continues(_ a: Article, _ span: QuoteSpan, after prev: QuoteSpan) -> Bool {
        if span.continuesPrevious { return true }
        let from = prev.closeMark ?? prev.end
        guard from < span.openMark else { return false }
        var lastBreak: Int?
        var breaks = 0
        for k in from..<span.openMark where a.scalars[k] == 0x0A {
            if lastBreak.map({ k != $0 + 1 }) ?? true { breaks += 1 }
            lastBreak = k
        }
        if breaks == 0 { return true }
        guard breaks == 1, let b = lastBreak else { return false }
        return a.scalars[(b + 1)..<span.openMark].allSatisfy { QuoteScanner.isSpace($0) }
    }

    /// True when the quote opens its sentence, or follows a cue with a colon or comma.
    func startsStatement(_ a: Article, openTok: Int, quoteTokens: [Token]) -> Bool {
        guard let first = quoteTokens.first(where: { $0.kind == .word }), first.flags.contains(.capitalized) else { return false }
        if openTok == 0 || a.sentence[openTok - 1] != a.sentence[openTok] { return true }
        let p = a.scalars[Int(a.tokens[openTok - 1].charStart)]
        return p == 0x3A || p == 0x2C
    }

    /// True when every word of four or more letters is capitalised (and there is one).
    func isTitleCase(_ quoteTokens: [Token]) -> Bool {
        let long = quoteTokens.filter { $0.kind == .word && $0.byteCount >= 4 }
        return !long.isEmpty && long.allSatisfy { $0.flags.contains(.capitalized) || $0.flags.contains(.allCaps) }
    }

    /// True when the quote sits in a headline: the first paragraph, at most 30 words, not ending
    /// with sentence punctuation (a title line above the body).
    func inHeadline(_ a: Article, _ span: QuoteSpan) -> Bool {
        var lo = span.openMark
        while lo > 0, a.scalars[lo - 1] != 0x0A { lo -= 1 }
        // Only the article's first paragraph can be its headline.
        guard a.scalars[0..<lo].allSatisfy({ QuoteScanner.isSpace($0) }) else { return false }
        var hi = span.end
        while hi < a.scalars.count, a.scalars[hi] != 0x0A { hi += 1 }
        var last = hi - 1
        while last > lo, QuoteScanner.isSpace(a.scalars[last]) { last -= 1 }
        guard last > lo else { return false }
        let words = a.tokens[a.token(atOrAfter: lo)..<a.token(atOrAfter: hi)].filter { $0.kind == .word }
        guard words.count <= 30 else { return false }
        // A headline in Title Case, whatever its last mark.
        let long = words.filter { $0.byteCount >= 4 }
        if long.count >= 3, long.filter({ $0.flags.contains(.capitalized) || $0.flags.contains(.allCaps) }).count * 10 >= long.count * 7 { return true }
        var k = last
        while k > lo, [0x201D, 0x22, 0x27, 0x2019, 0xBB, 0x29].contains(a.scalars[k]) { k -= 1 }
        return ![0x2E, 0x21, 0x3F, 0x3A, 0x2026].contains(a.scalars[k])
    }

    /// A quoted title of a work: Title Case words after a work noun ("the film “...”"), a
    /// possessive or a preposition ("on CBS's “Face the Nation,”", "in his 1994 “Contract with America”").
    func isTitleOfWork(_ a: Article, _ quoteTokens: [Token], openTok: Int) -> Bool {
        guard isTitleCase(quoteTokens) else { return false }
        for k in stride(from: openTok - 1, through: max(0, openTok - 3), by: -1) {
            if let (kind, _) = kindAt(a, k, limit: k + 1), kind == .workNoun { return true }
        }
        guard openTok > 0 else { return false }
        let prev = a.tokens[openTok - 1]
        if prev.kind == .clitic { return true }
        let word = a.tokenText(openTok - 1).lowercased()
        return ["on", "in", "at", "of", "from", "by", "his", "her", "their", "its", "our", "my", "your"].contains(word)
            || (prev.kind == .number && openTok > 1 && ["his", "her", "their", "its", "the"].contains(a.tokenText(openTok - 2).lowercased()))
    }
}
