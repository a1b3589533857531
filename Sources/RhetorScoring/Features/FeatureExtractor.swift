import Foundation
import RhetorText
import _RhetorKernels

/// The hashing part of a feature specification: namespaces, seed and table size.
public struct HashSpec: Sendable, Equatable, Codable {
    /// log2 of the number of hashed buckets.
    public var bits: Int
    public var seed: UInt64
    /// Character n-gram lengths (bytes, inside `<` and `>` boundary marks), e.g. 3...5; at most 7.
    public var charMin: Int
    public var charMax: Int

    public init(bits: Int = 18, seed: UInt64 = 0x5248_4554_4f52_0001, charMin: Int = 3, charMax: Int = 5) {
        self.bits = bits
        self.seed = seed
        self.charMin = charMin
        self.charMax = charMax
    }

    public var buckets: Int { 1 << bits }

    /// Namespace keys: `term("w")`, `term("b")`, `term("c")`.
    public static let wordNamespace = TermHash.term(Array("w".utf8))
    public static let bigramNamespace = TermHash.term(Array("b".utf8))
    public static let charNamespace = TermHash.term(Array("c".utf8))

    /// This spec's bucket functions, with the namespace keys worked out once.
    public var hasher: BucketHasher { BucketHasher(self) }
}

/// The bucket of each kind of hashed feature under one `HashSpec`: `TermHash.bucket` of the
/// item XOR its namespace key (`term(ns) XOR seed`), computed here once so the hashing walk
/// reads no lazy global per feature.
public struct BucketHasher: Sendable {
    public let wordKey: UInt64
    public let bigramKey: UInt64
    public let charKey: UInt64
    public let bits: Int

    public init(_ spec: HashSpec) {
        wordKey = HashSpec.wordNamespace ^ spec.seed
        bigramKey = HashSpec.bigramNamespace ^ spec.seed
        charKey = HashSpec.charNamespace ^ spec.seed
        bits = spec.bits
    }

    /// The bucket of a word unigram, by its term hash.
    @inlinable @inline(__always)
    public func word(_ term: UInt64) -> Int { TermHash.bucket(term ^ wordKey, bits: bits) }

    /// The bucket of an adjacent pair of tokens, by their term hashes.
    @inlinable @inline(__always)
    public func bigram(_ first: UInt64, _ second: UInt64) -> Int { TermHash.bucket(TermHash.pairKey(first, second) ^ bigramKey, bits: bits) }

    /// The bucket of a character n-gram, by its `TermHash.ngramKey`.
    @inlinable @inline(__always)
    public func char(_ ngramKey: UInt64) -> Int { TermHash.bucket(ngramKey ^ charKey, bits: bits) }
}

/// Why a dense feature moved: a lexicon term (with its rules) or a statement-level rule.
public struct Evidence: Sendable, Equatable {
    public var feature: DenseFeature
    /// The feature value this evidence contributed (already normalized).
    public var value: Float
    /// The lexicon term, or the rule name for statement-level rules.
    public var term: String
    /// Code-point offsets into the statement; nil for statement-level rules.
    public var charStart: Int?
    public var charEnd: Int?
    /// Rules that changed the term's weight: "negated", "intensified", "dampened", "allcaps", "after-contrast", "before-contrast".
    public var rules: [String]
}

/// Reusable buffers for feature extraction on one thread: no allocation per statement once warm.
///
/// One thread owns a scratch at a time (it is not Sendable), so the dynamic exclusivity checks
/// Swift would run on every access to these class properties (~8 per statement, each a
/// thread-local lookup) are turned off: `@exclusivity(unchecked)`.
public final class ExtractionScratch {
    let tokens = TokenBuffer()
    /// The rules' lexicon matches, at most one per token (see `TokenSlots`: an Array's appends
    /// and emptying cost a uniqueness check each and ~80 instructions a statement).
    @exclusivity(unchecked) var matches = TokenSlots<FeatureExtractor.Match>()
    /// The hashed buckets of the last statement.
    @exclusivity(unchecked) public internal(set) var buckets: [Int32] = []
    /// A word's normalized bytes with boundary marks: at most 62, plus 8 bytes of slack for the
    /// n-gram walk's 8-byte loads. Raw memory the walk is handed as it is (an array was moved
    /// out of the scratch and back, checked for uniqueness and released: three calls a
    /// statement, for the few words the cache misses).
    let chars: UnsafeMutableBufferPointer<UInt8> = {
        let b = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: FeatureExtractor.charBufferCount)
        b.initialize(repeating: 0)
        return b
    }()
    @exclusivity(unchecked) var evidence: [Evidence] = []
    /// The rules applied to a term, for its evidence (`applyRules`): one array for all terms
    /// and statements, emptied per term only when explaining (one per term cost a release per
    /// scored term, and one per statement a release per statement).
    @exclusivity(unchecked) var applied: [String] = []
    @exclusivity(unchecked) var origins: [(Int32, Int32, UInt8)] = []
    /// Group totals of recently seen words, for the batch scorer (see `WordCache`).
    @exclusivity(unchecked) var wordCache: WordCache? {
        didSet { wordCacheSlots = wordCache?.slots }
    }
    /// `wordCache`'s slots, for the walk: a plain pointer read per statement, where passing the
    /// cache itself cost a retain and a release (two atomic operations) per statement.
    @exclusivity(unchecked) private(set) var wordCacheSlots: UnsafeMutablePointer<WordCache.Slot>?
    /// The table the cached totals came from (a cache serves one model only).
    @exclusivity(unchecked) var wordCacheTable: HashedTable?
    /// Where lexicon phrases may start in the statement (see `RuleScan`), one slot per token.
    @exclusivity(unchecked) var starts = TokenSlots<RuleScan.Start>()
    /// Each token's bigram bucket, hashed by `WeightAccumulator.prepare` for the walk.
    @exclusivity(unchecked) var bigrams = TokenSlots<Int32>()
    /// The batch scorer's block buffers, kept from block to block (a fresh zeroed set per block
    /// was 0.7 % of a run's instructions).
    @exclusivity(unchecked) var block = BlockBuffers()

    public init() {}

    deinit {
        starts.deallocate()
        bigrams.deallocate()
        matches.deallocate()
        chars.deallocate()
    }

    /// Raw storage for a value per token of a statement, regrown (contents dropped) when a
    /// statement has more tokens than it holds.
    struct TokenSlots<Element> {
        private(set) var base = UnsafeMutablePointer<Element>.allocate(capacity: 256)
        private var capacity = 256

        /// Room for `tokens` values, valid until the next call.
        mutating func room(for tokens: Int) -> UnsafeMutablePointer<Element> {
            if tokens > capacity {
                base.deallocate()
                capacity = 2 * tokens
                base = .allocate(capacity: capacity)
            }
            return base
        }

        func deallocate() { base.deallocate() }
    }

    /// A block's dense features (`width` per row; the rules overwrite a row's rule features, and
    /// columns past them stay zero from allocation), its `sgemm` product and its hashed sums.
    struct BlockBuffers {
        var features: [Float] = []
        var width = 0
        var products: [Float] = []
        var hashedSums: [Float] = []

        /// Makes room for `rows` statements of `width` features and `outputs` outputs,
        /// reallocating (zeroed) only what is too small or laid out for another width.
        mutating func reserve(rows: Int, width: Int, outputs: Int) {
            if self.width != width || features.count < rows * width {
                features = [Float](repeating: 0, count: rows * width)
                self.width = width
            }
            if products.count < rows * outputs {
                products = [Float](repeating: 0, count: rows * outputs)
                hashedSums = [Float](repeating: 0, count: rows * outputs)
            }
        }
    }

    /// An empty scan with room for `tokens` phrase starts, valid until the next call.
    func ruleScan(tokens: Int) -> RuleScan {
        RuleScan(starts: starts.room(for: tokens))
    }
}

/// Where lexicon phrases may start in a statement: the tokens whose term starts at least one
/// lexicon key, in order, each with its first phrase-table answer. The hashing walk gathers it
/// as it passes each token (it has each word's hint at hand, often from its word cache), so the
/// rules visit only these tokens.
struct RuleScan {
    /// A token that starts at least one lexicon key: its index and its `LexiconSet.hint` (>= 0).
    struct Start {
        var index: Int32
        var hint: Int32
    }

    let starts: UnsafeMutablePointer<Start>
    var startCount = 0

    init(starts: UnsafeMutablePointer<Start>) { self.starts = starts }

    /// Keeps token `index` when `hint`, its `LexiconSet.hint`, says a key starts with it.
    /// Tokens come in order, each once.
    @inline(__always)
    mutating func add(index: Int, hint: Int32) {
        // Written always, kept when it is a start: no branch on the hint (a `hint >= 0 ? 1 : 0`
        // compiled to a jump, mispredicted for about one token in four).
        starts[startCount] = Start(index: Int32(truncatingIfNeeded: index), hint: hint)
        startCount &+= 1 &+ Int(truncatingIfNeeded: hint &>> 31)
    }
}

/// The token counts the statement-level rules read.
struct TokenCounts {
    /// Words, clitics and numbers.
    var lexical = 0
    /// ALL CAPS tokens.
    var caps = 0
    /// Words not in ALL CAPS, outside matched phrases or first in one.
    var lower = 0
    /// `!` and `?` marks of emphasis tokens outside matched phrases or first in one.
    var exclamations = 0
    var questions = 0

    /// Counts every token: one pass with no branch.
    ///
    /// Each token adds one entry of `PackedTokenCounts.table`, indexed by its kind and ALL CAPS
    /// bit read in one 2-byte load, to one 64-bit total that holds four counts in 16-bit lanes:
    /// lexical, ALL CAPS, lower-case words, and emphasis tokens (bits 0, 16, 32, 48). Lanes
    /// cannot carry into each other below 2^16 tokens; longer token lists take the plain loop.
    /// The rare statement with emphasis tokens is passed over again for their marks. (A test
    /// for emphasis on every token, in a 21-bit-lane layout, cost 3 of the loop's 9
    /// instructions a token.)
    ///
    /// `table` is `PackedTokenCounts.table`, which a caller on the hot path reads once and keeps
    /// (each read of the lazy global is a `swift_once` call).
    init(_ tokens: UnsafeBufferPointer<Token>, table: UnsafePointer<UInt64> = PackedTokenCounts.table) {
        self.init()
        guard tokens.count < 1 << 16, let base = tokens.baseAddress, let offset = PackedTokenCounts.kindAndFlagsOffset else {
            self = TokenCounts(countingEach: tokens)
            return
        }
        let entries = table
        var packed: UInt64 = 0
        var raw = UnsafeRawPointer(base) + offset
        for _ in 0..<tokens.count {
            packed &+= entries[Int(raw.load(as: UInt16.self)) & PackedTokenCounts.indexMask]
            raw += MemoryLayout<Token>.stride
        }
        let lane: UInt64 = (1 << 16) - 1
        self.lexical = Int(packed & lane)
        self.caps = Int((packed >> 16) & lane)
        self.lower = Int((packed >> 32) & lane)
        if packed >> 48 != 0 {
            for t in tokens where t.kind == .emphasis { countEmphasis(t, by: 1) }
        }
    }

    /// All counts zero.
    private init() {}

    /// The same counts, one token at a time: for token lists too long for the packed lanes.
    init(countingEach tokens: UnsafeBufferPointer<Token>) {
        for t in tokens {
            let kind = UInt32(t.kind.rawValue)
            let allCaps = Int(t.flags.rawValue & TokenFlags.allCaps.rawValue)
            // word, clitic and number are kinds 0, 1 and 2; a word is kind 0.
            let lexicalKind = Int((kind &- 3) &>> 31)
            let word = Int((kind &- 1) &>> 31)
            lexical &+= lexicalKind
            caps &+= allCaps
            lower &+= word & (allCaps ^ 1)
            if t.kind == .emphasis { countEmphasis(t, by: 1) }
        }
    }

    /// Takes back what was counted of a token inside a matched phrase (after its first) that
    /// the rules count only at a phrase's first token: lower-case words and emphasis. (All of a
    /// phrase's lexical and ALL CAPS tokens count.)
    mutating func uncountInsidePhrase(_ t: Token) {
        lower &-= !t.flags.contains(.allCaps) && t.kind == .word ? 1 : 0
        if t.kind == .emphasis { countEmphasis(t, by: -1) }
    }

    mutating func countEmphasis(_ t: Token, by sign: Int) {
        if t.flags.contains(.exclamation) { exclamations += sign * Int(t.runLength) }
        if t.flags.contains(.question), !t.flags.contains(.exclamation) { questions += sign * Int(t.runLength) }
    }
}

/// The table `TokenCounts` sums: one entry per value of a token's kind byte and the ALL CAPS
/// bit of the flags byte after it, read together as one little-endian 2-byte word.
enum PackedTokenCounts {
    /// The kind byte and the ALL CAPS bit (bit 0 of the flags byte: bit 8 of the word).
    static let indexMask = 0x1FF
    /// Where a token's kind byte is, when its flags byte follows it (nil otherwise: then
    /// `TokenCounts` counts token by token).
    /// (Computed, not a stored global: the layout is known when compiling, and a lazy global
    /// cost a `swift_once` call per statement.)
    static var kindAndFlagsOffset: Int? {
        guard let kind = MemoryLayout<Token>.offset(of: \Token.kind), let flags = MemoryLayout<Token>.offset(of: \Token.flags),
              flags == kind + 1, TokenFlags.allCaps.rawValue == 1 else { return nil }
        return kind
    }
    /// Entry `kind | allCaps << 8`: lexical (lane 0) for kinds 0-2 (word, clitic, number), ALL
    /// CAPS (lane 1), a word not in ALL CAPS (lane 2), and an emphasis token (lane 3); lanes
    /// are 16 bits. Built once, never written.
    nonisolated(unsafe) static let table: UnsafePointer<UInt64> = {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: indexMask + 1)
        for index in 0...indexMask {
            let kind = index & 0xFF, allCaps = index >> 8
            var entry: UInt64 = 0
            if kind <= 2 { entry |= 1 }
            if allCaps == 1 { entry |= 1 << 16 } else if kind == 0 { entry |= 1 << 32 }
            if kind == Int(TokenKind.emphasis.rawValue) { entry |= 1 << 48 }
            t[index] = entry
        }
        return UnsafePointer(t)
    }()
}

/// One hashed feature occurrence, with the tokens it came from (for explanations).
public struct HashedFeature: Sendable, Equatable {
    public var bucket: Int32
    public var value: Float
    /// 0 word, 1 bigram, 2 character n-gram.
    public var namespace: UInt8
    /// Code-point offsets of the token(s) the feature came from.
    public var charStart: Int32
    public var charEnd: Int32
}

/// The features of one statement.
public struct FeatureVector: Sendable {
    public var dense: [Float]
    public var buckets: [Int32]
    public var values: [Float]
    /// Filled only when extracting with `explain: true`.
    public var evidence: [Evidence]
    public var hashed: [HashedFeature]

    public init() {
        dense = [Float](repeating: 0, count: DenseFeature.count)
        buckets = []
        values = []
        evidence = []
        hashed = []
    }
}

/// Turns a statement into dense lexicon/rule features and hashed n-gram features.
///
/// Rules (constants from `rules.tsv`, after VADER, Hutto & Gilbert 2014):
/// - phrases: at each token the longest lexicon phrase wins (`not ruling out` before `not`);
/// - negation: a negator up to `negation_scope` tokens before a term multiplies its certainty and
///   valence by the negator's weight (-0.74, VADER's N_SCALAR) and moves hostility to
///   `hostility.negated`;
/// - intensifiers and dampeners up to three tokens before a term scale it by `1 + w * decay`;
/// - ALL CAPS terms in mixed-case text scale by `1 + allcaps_boost`;
/// - contrast: with a contrastive word present, terms before it scale by `contrast_before`, terms
///   after it by the word's weight (1.5);
/// - emphasis: `!` and `?` counts (capped) feed their own features and VADER's compound.
public struct FeatureExtractor: Sendable {
    public let lexicons: LexiconSet
    public let spec: HashSpec
    let tokenizer = Tokenizer()
    /// `spec.hasher`, built once: it reads three lazy globals (a `swift_once` call each).
    let hasher: BucketHasher
    /// `logLengths`, read from its lazy global once.
    let logLengthTable: [Float] = Self.logLengths
    /// `PackedTokenCounts.table`, read from its lazy global once. Never written after it is
    /// built, so sharing it between threads is safe.
    nonisolated(unsafe) let countTable = PackedTokenCounts.table
    /// Room for a hashed word's bytes: words of at most 60 bytes get character n-grams, plus
    /// the two boundary marks and 8 bytes of slack for unaligned 8-byte loads.
    static let charBufferCount = 72

    public init(lexicons: LexiconSet, spec: HashSpec) {
        precondition(spec.charMin >= 1 && spec.charMin <= spec.charMax && spec.charMax <= 7,
                     "character n-grams are 1 to 7 bytes (packed n-gram keys); model loading checks this first")
        self.lexicons = lexicons
        self.spec = spec
        hasher = spec.hasher
    }

    /// Extracts the features of a statement.
    public func extract(_ text: String, explain: Bool = false) -> FeatureVector {
        var copy = text
        return copy.withUTF8 { extract(bytes: $0, explain: explain) }
    }

    /// Extracts the features of a statement given as UTF-8 bytes.
    public func extract(bytes: UnsafeBufferPointer<UInt8>, explain: Bool = false) -> FeatureVector {
        let scratch = ExtractionScratch()
        var fv = FeatureVector()
        let scale = fv.dense.withUnsafeMutableBufferPointer { dense in
            extract(bytes: bytes, scratch: scratch, dense: dense.baseAddress!, explain: explain)
        }
        fv.buckets = scratch.buckets
        fv.values = [Float](repeating: scale, count: scratch.buckets.count)
        fv.evidence = scratch.evidence
        if explain {
            fv.hashed = zip(scratch.buckets, scratch.origins).map { b, o in
                HashedFeature(bucket: b, value: scale, namespace: o.2, charStart: o.0, charEnd: o.1)
            }
        }
        return fv
    }

    /// The allocation-free core: writes the dense block to `dense` (DenseFeature.count floats),
    /// the hashed buckets to `scratch.buckets`, and returns the value every hashed feature takes
    /// (1/sqrt(count)). With `explain`, evidence and feature origins go to the scratch too.
    public func extract(bytes: UnsafeBufferPointer<UInt8>, scratch: ExtractionScratch, dense: UnsafeMutablePointer<Float>, explain: Bool) -> Float {
        tokenizer.tokenize(bytes, into: scratch.tokens)
        scratch.evidence.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
        scratch.buckets.removeAll(keepingCapacity: true)
        let tb = scratch.tokens.tokens
        let scan = hash(tokens: tb, bytes: bytes, scratch: scratch, explain: explain)
        applyRules(tokens: tb, scan: scan, dense: dense, matches: scratch.matches.room(for: tb.count), evidence: &scratch.evidence, applied: &scratch.applied, explain: explain)
        return scratch.buckets.isEmpty ? 0 : 1 / Float(scratch.buckets.count).squareRoot()
    }

    // MARK: - Rules

    struct Match {
        var start: Int
        var length: Int
        var entry: Int
    }

    /// Fills the dense block for one statement; records evidence when `explain` is true.
    ///
    /// `scan` is the hashing walk's `RuleScan` of these tokens: the rules visit only the
    /// tokens where a lexicon key starts, in order (at each, the longest phrase wins and the
    /// tokens it covers start nothing more).
    ///
    /// `matchSlots` has room for a match per token (a statement's matches do not overlap);
    /// `applied` is the scratch's list of a term's rules, used only when explaining.
    func applyRules(tokens: UnsafeBufferPointer<Token>, scan: RuleScan, dense: UnsafeMutablePointer<Float>, matches matchSlots: UnsafeMutablePointer<Match>,
                    evidence: inout [Evidence], applied: inout [String], explain: Bool) {
        for k in 0..<DenseFeature.count { dense[k] = 0 }
        let rules = lexicons.rules
        var matchCount = 0
        var counts = TokenCounts(tokens, table: countTable)
        var next = 0
        for s in 0..<scan.startCount {
            let start = scan.starts[s]
            let i = Int(start.index)
            guard i >= next, let m = lexicons.longestMatch(tokens, at: i, hint: start.hint) else { continue }
            matchSlots[matchCount] = Match(start: i, length: m.length, entry: m.entry)
            matchCount &+= 1
            // The entry is read below (modifier kind, then weights): asked for now, the reads of
            // the matches' entries overlap instead of each waiting in turn (perf: the contrast
            // search's share of the rules' time 8.7 % -> 3.0 %).
            lexicons.entries.withUnsafeBufferPointer { Prefetch.read($0.baseAddress! + m.entry) }
            for k in i + 1..<i + m.length { counts.uncountInsidePhrase(tokens[k]) }
            next = i + m.length
        }
        let matches = UnsafeBufferPointer(start: matchSlots, count: matchCount)
        let lexical = counts.lexical, lower = counts.lower, caps = counts.caps
        let exclamations = counts.exclamations, questions = counts.questions
        let norm = 1 / Float(max(1, lexical)).squareRoot()
        let mixedCase = lower > 0
        var firstContrast: Match?
        for m in matches where lexicons.entries[m.entry].modifier == .contrast {
            firstContrast = m
            break
        }
        var valenceSum: Float = 0
        var negators = 0

        for (mi, m) in matches.enumerated() {
            let e = lexicons.entries[m.entry]
            if e.modifier == .negator { negators += 1 }
            guard e.isScored else { continue }
            var scale: Float = 1
            if explain { applied.removeAll(keepingCapacity: true) }
            var negation: Float = 1
            // Modifiers before the term, nearest first.
            var back = mi - 1
            while back >= 0 {
                let prev = matches[back]
                let distance = m.start - prev.start
                if distance > max(3, rules.negationScope) { break }
                let pe = lexicons.entries[prev.entry]
                switch pe.modifier {
                case .negator where distance <= rules.negationScope && negation == 1:
                    negation = pe.modifierWeight
                    if explain { applied.append("negated") }
                case .intensifier where distance <= 3, .dampener where distance <= 3:
                    let decay: Float = distance == 1 ? 1 : (distance == 2 ? rules.modifierDecay2 : rules.modifierDecay3)
                    scale *= 1 + pe.modifierWeight * decay
                    if explain { applied.append(pe.modifier == .intensifier ? "intensified" : "dampened") }
                default: break
                }
                back -= 1
            }
            if mixedCase, tokens[m.start].flags.contains(.allCaps) {
                scale *= 1 + rules.allCapsBoost
                if explain { applied.append("allcaps") }
            }
            if let c = firstContrast {
                if m.start < c.start {
                    scale *= rules.contrastBefore
                    if explain { applied.append("before-contrast") }
                } else if m.start > c.start {
                    scale *= lexicons.entries[c.entry].modifierWeight
                    if explain { applied.append("after-contrast") }
                }
            }
            // Written out, not through a nested function: one that captured `applied` and the
            // evidence cost a retain and a release per term even when nothing was explained.
            if e.hostility != 0, let cat = e.hostilityCategory {
                let v = e.hostility * scale * norm
                let f = negation != 1 ? DenseFeature.negatedHostility : DenseFeature.hostility(cat)
                dense[f.rawValue] += v
                if explain { evidence.append(termEvidence(f, v, entry: e, match: m, tokens: tokens, rules: applied)) }
            }
            if e.certainty != 0 {
                let v = e.certainty * scale * negation * norm
                let f = v > 0 ? DenseFeature.booster : DenseFeature.hedge
                dense[f.rawValue] += v
                if explain { evidence.append(termEvidence(f, v, entry: e, match: m, tokens: tokens, rules: applied)) }
            }
            if e.valence != 0 {
                let raw = e.valence * scale * negation
                valenceSum += raw
                let f = raw > 0 ? DenseFeature.positive : DenseFeature.negative
                dense[f.rawValue] += raw * norm
                if explain { evidence.append(termEvidence(f, raw * norm, entry: e, match: m, tokens: tokens, rules: applied)) }
            }
        }

        // Statement-level rules.
        func rule(_ f: DenseFeature, _ v: Float, _ name: String) {
            guard v != 0 else { return }
            dense[f.rawValue] = v
            if explain { evidence.append(Evidence(feature: f, value: v, term: name, charStart: nil, charEnd: nil, rules: [])) }
        }
        let ep = min(Float(exclamations), rules.exclamationCap) * rules.exclamationStep
        let qm = min(Float(questions), rules.questionCap) * rules.questionStep
        var s = valenceSum
        if s > 0 { s += ep + qm } else if s < 0 { s -= ep + qm }
        rule(.compound, s == 0 ? 0 : s / (s * s + rules.vaderAlpha).squareRoot(), "valence compound (VADER normalize)")
        rule(.exclamation, ep, "exclamation marks")
        rule(.question, qm, "question marks")
        rule(.allCaps, mixedCase ? Float(caps) * norm : 0, "ALL CAPS words")
        rule(.logLength, logLength(lexical), "statement length")
        rule(.negators, Float(negators), "negators")
    }

    /// The evidence of a lexicon term's contribution `v` to feature `f`: the term, the code-point
    /// span of its match, and the rules that scaled it.
    func termEvidence(_ f: DenseFeature, _ v: Float, entry e: LexiconEntry, match m: Match, tokens: UnsafeBufferPointer<Token>, rules: [String]) -> Evidence {
        Evidence(feature: f, value: v, term: lexicons.terms[Int(e.term)],
                 charStart: Int(tokens[m.start].charStart), charEnd: Int(tokens[m.start + m.length - 1].charEnd), rules: rules)
    }

    /// `log1p(Float(n))`, from a table for the statement lengths news has (libm's `log1pf` was
    /// 1.3 % of the batch scorer's time); the table holds the very values `log1p` returns.
    @inline(__always)
    func logLength(_ n: Int) -> Float {
        n < logLengthTable.count ? logLengthTable[n] : log1p(Float(n))
    }

    static let logLengths: [Float] = (0..<1024).map { log1p(Float($0)) }

    // MARK: - Hashing

    /// Emits word unigrams, adjacent-token bigrams and character n-grams of words, each valued
    /// `1/sqrt(count)` so the hashed vector has unit L2 norm before collisions; buckets (and, with
    /// `explain`, their origins) go to the scratch. Returns the tokens' `RuleScan`.
    func hash(tokens: UnsafeBufferPointer<Token>, bytes: UnsafeBufferPointer<UInt8>, scratch: ExtractionScratch, explain: Bool) -> RuleScan {
        // Work on local arrays (moved out of the scratch and back) so appends do not pay the
        // class property's exclusivity check each time.
        var sink = BucketRecorder(explain: explain)
        swap(&sink.buckets, &scratch.buckets)
        swap(&sink.origins, &scratch.origins)
        defer {
            swap(&sink.buckets, &scratch.buckets)
            swap(&sink.origins, &scratch.origins)
        }
        var scan = scratch.ruleScan(tokens: tokens.count)
        hash(tokens: tokens, lowered: scratch.tokens.lowered, bytes: bytes, chars: scratch.chars, into: &sink, scan: &scan)
        return scan
    }

    /// The hashing walk, generic over what happens to each bucket: recorded (`BucketRecorder`)
    /// or summed straight from the weight table (`WeightAccumulator`, the batch scorer's path:
    /// the table loads then overlap with the hashing work instead of waiting in a later loop).
    ///
    /// Per token: the bigram with the previous token, then the token's group (its unigram and,
    /// for words, its character n-grams), which the sink sums on its own before adding it. A
    /// word's group depends on its normalized bytes only, so a sink may answer it from a cache
    /// (`beginGroup` returns the word's cached hint) and the walk skips the n-grams.
    ///
    /// Every token also goes to `scan` with its `LexiconSet.hint` (a word's from the sink's cache
    /// when it has the word, else looked up and handed to the sink with the group), so the
    /// rules that run after the walk visit only phrase starts.
    ///
    /// Cached words (most tokens of news) go through `Sink.addCachedWords`, a loop of their own
    /// with little state; every other token through `hashToken`, out of line.
    @inline(__always)
    func hash<Sink: HashedFeatureSink>(tokens: UnsafeBufferPointer<Token>, lowered: UnsafeBufferPointer<LoweredBytes>, bytes: UnsafeBufferPointer<UInt8>,
                                       chars: UnsafeMutableBufferPointer<UInt8>, into sink: inout Sink, scan: inout RuleScan) {
        var prev: UInt64 = 0
        var havePrev = false
        precondition(chars.count >= Self.charBufferCount, "the scratch's word buffer is too small")
        var ti = 0
        while ti < tokens.count {
            ti = sink.addCachedWords(tokens, lowered: lowered, from: ti, scan: &scan, prev: &prev, havePrev: &havePrev)
            guard ti < tokens.count else { break }
            hashToken(at: ti, tokens: tokens, lowered: lowered, bytes: bytes, chars: chars, into: &sink, scan: &scan, prev: &prev, havePrev: &havePrev)
            ti &+= 1
        }
    }

    /// One token of the walk (`hash`): its bigram with the token before it, then its group.
    /// Out of line, so the loop over cached words keeps its few values in registers (inlined,
    /// this body's state spilled to the stack on every token).
    @inline(never)
    func hashToken<Sink: HashedFeatureSink>(at ti: Int, tokens: UnsafeBufferPointer<Token>, lowered: UnsafeBufferPointer<LoweredBytes>, bytes: UnsafeBufferPointer<UInt8>,
                                            chars: UnsafeMutableBufferPointer<UInt8>, into sink: inout Sink, scan: inout RuleScan, prev: inout UInt64, havePrev: inout Bool) {
        let charMin = spec.charMin, charMax = spec.charMax
        let hasher = self.hasher
        let t = tokens[ti]
        guard t.kind != .punct, t.kind != .invalid else {
            havePrev = false
            // A lone mark the tokenizer's plain path made (its byte is its lowered bytes) is an
            // empty group a sink may cache, so that its loop over cached words need not stop at
            // punctuation; any other mark is no group.
            let pre = lowered[ti]
            let key = pre.lo != 0 ? WordKey(lowered: pre, of: t) : nil
            if let key, let hint = sink.beginGroup(key) { scan.add(index: ti, hint: hint); return }
            let hint = lexicons.hint(t.hash)
            scan.add(index: ti, hint: hint)
            if key != nil { sink.endGroup(hint: hint) }
            return
        }
        if havePrev {
            sink.add(sink.bigramBucket(at: ti, prev, t.hash, hasher: hasher), tokens[ti - 1].charStart, t.charEnd, 1)
        }
        prev = t.hash
        havePrev = true
        guard t.kind == .word, t.byteCount <= 60 else {
            // A number the plain path made (lowered bytes set) is a one-feature group a sink
            // may cache like a word's.
            let pre = lowered[ti]
            let key = t.kind == .number && pre.lo != 0 ? WordKey(lowered: pre, of: t) : nil
            if let key, let hint = sink.beginGroup(key) { scan.add(index: ti, hint: hint); return }
            let hint = lexicons.hint(t.hash)
            scan.add(index: ti, hint: hint)
            if key == nil { _ = sink.beginGroup(nil) }
            sink.addToGroup(Int32(truncatingIfNeeded: hasher.word(t.hash)), t.charStart, t.charEnd, 0)
            sink.endGroup(hint: hint)
            return
        }
        // A short ASCII word's key: the tokenizer's lowered bytes when its plain-word path
        // made the token, else two 8-byte loads lower-cased in registers. A cache hit
        // then costs no pass over the bytes.
        var asked = false
        let pre = lowered[ti]
        if let key = pre.lo != 0 ? WordKey(lowered: pre, of: t) : WordKey(asciiToken: t, in: bytes) {
            if let hint = sink.beginGroup(key) { scan.add(index: ti, hint: hint); return }
            asked = true
        }
        // Normalized bytes with boundary marks: "<" word ">".
        var len = 0
        chars[len] = 0x3C; len += 1
        var j = Int(t.byteStart)
        let end = Int(t.byteEnd)
        while j < end {
            let b = bytes[j]
            if b == 0xE2, j + 2 < end, bytes[j + 1] == 0x80, bytes[j + 2] == 0x99 || bytes[j + 2] == 0x98 {
                chars[len] = 0x27; j += 3
            } else {
                chars[len] = b &- 0x41 < 26 ? b | 0x20 : b; j += 1
            }
            len += 1
        }
        chars[len] = 0x3E; len += 1
        if !asked, let hint = sink.beginGroup(WordKey(normalized: chars, count: len - 2, hash: t.hash)) { scan.add(index: ti, hint: hint); return }
        sink.addToGroup(Int32(truncatingIfNeeded: hasher.word(t.hash)), t.charStart, t.charEnd, 0)
        // Each window's key is its bytes packed little-endian with the length in the top
        // byte (windows are at most 7 bytes), mixed once by `bucket`: one 8-byte load per
        // window start, masked to each length (the buffer has 8 bytes of slack).
        let raw = UnsafeRawPointer(chars.baseAddress!)
        for a in 0..<len {
            let window = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: a, as: UInt64.self))
            let longest = min(len - a, charMax)
            var n = charMin
            while n <= longest {
                let key = (window & ((1 &<< UInt64(8 &* n)) &- 1)) | UInt64(n) &<< 56
                sink.addToGroup(Int32(truncatingIfNeeded: hasher.char(key)), t.charStart, t.charEnd, 2)
                n &+= 1
            }
        }
        let hint = lexicons.hint(t.hash)
        scan.add(index: ti, hint: hint)
        sink.endGroup(hint: hint)
    }
}

/// A word's normalized bytes (at most 16, packed little-endian in two words) and its term hash:
/// the exact identity of a word group, for caching its total.
///
/// The bytes are zero past the word's end, and no word, number or mark the walk keys holds a
/// zero byte (NUL is a control byte, never inside a token), so the two words alone tell words
/// of different lengths apart: the key holds no length. (Compared beside the bytes, the length
/// cost the cached-word loop two loads of the token's offsets and four more instructions a
/// token: cachegrind, 106k sentences, -1.8 % without it.)
struct WordKey {
    var lo: UInt64
    var hi: UInt64
    var hash: UInt64

    /// The key of a token of at most 16 ASCII bytes, read straight from the statement: two
    /// little-endian loads, masked to the length and lower-cased eight bytes at a time (for
    /// ASCII, normalizing is exactly lower-casing A-Z). Nil for longer or non-ASCII tokens.
    @inline(__always)
    init?(asciiToken t: Token, in bytes: UnsafeBufferPointer<UInt8>) {
        let start = Int(t.byteStart), count = Int(t.byteEnd) - start
        guard count <= 16, count > 0, let base = bytes.baseAddress else { return nil }
        var lo: UInt64 = 0, hi: UInt64 = 0
        if start + 16 <= bytes.count {
            let raw = UnsafeRawPointer(base + start)
            lo = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            hi = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        } else if bytes.count >= 16 {
            // Near the end (every statement's last words): the last 16 bytes, shifted down by
            // the token's offset `d` (1...15) into them; bytes past the end read as zero.
            let raw = UnsafeRawPointer(base + bytes.count - 16)
            let w0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let d = UInt64(start - (bytes.count - 16))
            if d >= 8 {
                lo = w1 &>> (8 &* (d &- 8))
            } else {
                lo = (w0 &>> (8 &* d)) | (w1 &<< (64 &- 8 &* d))
                hi = w1 &>> (8 &* d)
            }
        } else {
            for k in 0..<count {
                if k < 8 { lo |= UInt64(base[start + k]) &<< UInt64(8 * k) } else { hi |= UInt64(base[start + k]) &<< UInt64(8 * (k - 8)) }
            }
        }
        // Masked to the length without a branch on it (word lengths straddle 8 at random):
        // `bits` is 8...128, `hiBits` the bits past the low word (1...64 when there are any).
        let bits = UInt64(truncatingIfNeeded: count) &* 8
        let hiBits = bits &- 64
        let anyHigh: UInt64 = hiBits &- 1 < 64 ? ~0 : 0
        lo &= ~0 &>> (64 &- min(bits, 64))
        hi &= (~0 &>> ((64 &- hiBits) & 63)) & anyHigh
        guard (lo | hi) & 0x8080_8080_8080_8080 == 0 else { return nil }
        self.lo = Self.lowerASCII(lo)
        self.hi = Self.lowerASCII(hi)
        hash = t.hash
    }

    /// The key of a token the tokenizer's plain-word path made, from the bytes it lowered
    /// (`LoweredBytes`, non-zero): what `init(asciiToken:in:)` would read and lower-case.
    @inline(__always)
    init(lowered: LoweredBytes, of t: Token) {
        lo = lowered.lo
        hi = lowered.hi
        hash = t.hash
    }

    /// Lower-cases A-Z in eight ASCII bytes at once: a byte's high bit after adding 0x3F says
    /// "at least A", after adding 0x25 "past Z" (no carries: every byte is below 0x80).
    @inline(__always)
    static func lowerASCII(_ x: UInt64) -> UInt64 {
        let atLeastA = x &+ 0x3F3F_3F3F_3F3F_3F3F
        let pastZ = x &+ 0x2525_2525_2525_2525
        let upper = atLeastA & ~pastZ & 0x8080_8080_8080_8080
        return x | (upper &>> 2)
    }

    /// Nil when the word is longer than 16 bytes (such words are not cached).
    @inline(__always)
    init?(normalized chars: UnsafeMutableBufferPointer<UInt8>, count: Int, hash: UInt64) {
        // chars[0] is "<"; the word is chars[1...count]; the buffer holds at least 64 bytes.
        guard count <= 16, chars.count >= 17 else { return nil }
        let raw = UnsafeRawPointer(chars.baseAddress! + 1)
        var lo = raw.loadUnaligned(as: UInt64.self)
        var hi = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        if count < 8 {
            lo &= (1 &<< UInt64(8 * count)) &- 1
            hi = 0
        } else if count < 16 {
            hi &= (1 &<< UInt64(8 * (count - 8))) &- 1
        }
        self.lo = UInt64(littleEndian: lo)
        self.hi = UInt64(littleEndian: hi)
        self.hash = hash
    }
}

/// Group totals of words seen before (and of plain numbers and lone punctuation marks, whose
/// groups are one unigram and empty), on one thread: a two-way set-associative table indexed by
/// the word's term hash, each slot holding the word's exact normalized bytes, so a hit is always
/// the same word and the cached total is the one the walk would compute (bit for bit: the same
/// sums in the same order). Results therefore never depend on what was cached.
final class WordCache {
    /// 32 bytes: the word's bytes, its group's feature count, hint and code sums. A
    /// cached word has at most 16 bytes, so at most 1 + 16 + 15 + 14 = 46 features of at most
    /// ±127 each: the sums fit an Int16.
    struct Slot {
        /// The word's bytes (`WordKey`); `lo` is 0 in an empty slot, as in no word's key.
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        /// The group's feature count: 1 or more for a word or number (its unigram at least), 0
        /// for a punctuation mark (whose slot holds only its hint).
        var count: UInt16 = 0
        /// The word's `LexiconSet.hint`: what the phrase table holds for it, so the rules need
        /// not look a cached word up again.
        var hint: Int32 = LexiconSet.unknownHint
        /// The group's code sums, lane k for output k.
        var sums = SIMD4<Int16>()

        /// True when the slot holds exactly this word.
        @inline(__always)
        func holds(_ word: WordKey) -> Bool {
            // One test, not two jumps.
            (lo ^ word.lo) | (hi ^ word.hi) == 0
        }
    }

    /// 2^16 slots x 32 bytes = 2 MB, in sets of two slots (one 64-byte cache line, the most
    /// recently used word first), in huge pages (`HugePageMemory`). A replay of the 12.2M words
    /// (40,916 distinct) of 500k Reuters sentences (`Benchmarks/word_cache_sim.py`, format-4
    /// term hashes) hits, direct-mapped / two-way / four-way:
    /// - 2^14 slots: 92.90 / 95.86 / 96.93 %;
    /// - 2^15 slots: 95.87 / 97.94 / 98.62 %;
    /// - 2^16 slots: 97.53 / 99.02 / 99.41 %.
    /// Each miss is ~900 instructions of n-gram hashing. Going from 2^14 to 2^16 slots cut the
    /// scorer's instructions on those sentences by 4.9 % (cachegrind).
    static let bits = 16
    static let ways = 2
    /// log2 of the number of sets.
    static let setBits = bits - 1
    let slots: UnsafeMutablePointer<Slot>

    init() {
        let raw = HugePageMemory.allocate(byteCount: Self.byteCount)
        slots = raw.bindMemory(to: Slot.self, capacity: 1 << Self.bits)
        slots.initialize(repeating: Slot(), count: 1 << Self.bits)
    }

    /// The table's size in bytes.
    static let byteCount = MemoryLayout<Slot>.stride << bits

    deinit { HugePageMemory.deallocate(slots, byteCount: Self.byteCount) }
}

/// Receives each hashed feature of a statement, in order, with the code-point span of the
/// token(s) it came from and its namespace (0 word, 1 bigram, 2 character n-gram).
protocol HashedFeatureSink {
    /// A feature outside any word group (a bigram).
    mutating func add(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8)
    /// A token's group begins; non-nil when the sink already has the group of this word (then
    /// the walk emits nothing more for it and does not call `endGroup`): the word's lexicon hint
    /// as `endGroup` was given it.
    mutating func beginGroup(_ word: WordKey?) -> Int32?
    mutating func addToGroup(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8)
    /// The group ends; `hint` is the word's `LexiconSet.hint`, for a sink that caches groups.
    mutating func endGroup(hint: Int32)
    /// The bucket of the bigram that ends at token `index` (`first`, `second`: the two tokens'
    /// term hashes). A sink that hashed the statement's bigrams before the walk answers from them.
    func bigramBucket(at index: Int, _ first: UInt64, _ second: UInt64, hasher: BucketHasher) -> Int32
    /// Takes the tokens from `from` on, for as long as each is a word, number or mark this sink
    /// has already summed (as `hashToken` would: the bigram with the token before it, the cached
    /// group, the token's hint to `scan`, and `prev`/`havePrev` updated); returns the index of
    /// the first token it did not take. A sink without such tokens takes none.
    mutating func addCachedWords(_ tokens: UnsafeBufferPointer<Token>, lowered: UnsafeBufferPointer<LoweredBytes>, from: Int, scan: inout RuleScan,
                                 prev: inout UInt64, havePrev: inout Bool) -> Int
}

extension HashedFeatureSink {
    @inline(__always)
    mutating func addCachedWords(_ tokens: UnsafeBufferPointer<Token>, lowered: UnsafeBufferPointer<LoweredBytes>, from: Int, scan: inout RuleScan,
                                 prev: inout UInt64, havePrev: inout Bool) -> Int {
        from
    }

    @inline(__always)
    func bigramBucket(at index: Int, _ first: UInt64, _ second: UInt64, hasher: BucketHasher) -> Int32 {
        Int32(truncatingIfNeeded: hasher.bigram(first, second))
    }
}

/// Records buckets, and their origins when explaining.
struct BucketRecorder: HashedFeatureSink {
    var buckets: [Int32] = []
    var origins: [(Int32, Int32, UInt8)] = []
    let explain: Bool

    init(explain: Bool) { self.explain = explain }

    @inline(__always)
    mutating func add(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8) {
        buckets.append(bucket)
        if explain { origins.append((charStart, charEnd, namespace)) }
    }

    @inline(__always)
    mutating func beginGroup(_ word: WordKey?) -> Int32? { nil }

    @inline(__always)
    mutating func addToGroup(_ bucket: Int32, _ charStart: Int32, _ charEnd: Int32, _ namespace: UInt8) {
        add(bucket, charStart, charEnd, namespace)
    }

    @inline(__always)
    mutating func endGroup(hint: Int32) {}
}

extension FeatureExtractor {
    /// The batch scorer's core: the dense block goes to `dense`, and instead of recording
    /// buckets the hashed codes are summed as they are hashed (word groups answered from the
    /// scratch's word cache when seen before). Writes `scales[o] x (code sum) / sqrt(count)` to
    /// `sums[0..<table.outputs]`: exactly what `HashedTable.sum` over the recorded buckets gives.
    public func extractSummingHashed(bytes: UnsafeBufferPointer<UInt8>, scratch: ExtractionScratch, dense: UnsafeMutablePointer<Float>, table: HashedTable, sums: UnsafeMutablePointer<Float>) {
        tokenizer.tokenize(bytes, into: scratch.tokens)
        // Nothing is explained here, so the evidence stays empty (emptying an empty array
        // still swapped its storage: a release per statement).
        if !scratch.evidence.isEmpty { scratch.evidence.removeAll(keepingCapacity: true) }
        let charBuffer = scratch.chars
        let tb = scratch.tokens.tokens
        var codes = (0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &codes) { raw in
            let c = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            if table.loadsFourLanes, bytes.count <= WeightAccumulator.maxBytes {
                // The cache's totals and lexicon hints belong to one model: its table, built by
                // the one batch scorer that holds this extractor.
                if scratch.wordCache == nil || scratch.wordCacheTable !== table {
                    scratch.wordCache = WordCache()
                    scratch.wordCacheTable = table
                }
                var acc = WeightAccumulator(table: table, cache: scratch.wordCacheSlots!, bigrams: scratch.bigrams.room(for: tb.count))
                acc.prepare(tokens: tb, hasher: hasher)
                // The walk first: it gathers the phrase starts for the rules.
                var scan = scratch.ruleScan(tokens: tb.count)
                hash(tokens: tb, lowered: scratch.tokens.lowered, bytes: bytes, chars: charBuffer, into: &acc, scan: &scan)
                applyRules(tokens: tb, scan: scan, dense: dense, matches: scratch.matches.room(for: tb.count), evidence: &scratch.evidence, applied: &scratch.applied, explain: false)
                acc.write(to: c, outputs: table.outputs)
                count = acc.count
            } else {
                var sink = BucketRecorder(explain: false)
                swap(&sink.buckets, &scratch.buckets)
                sink.buckets.removeAll(keepingCapacity: true)
                var scan = scratch.ruleScan(tokens: tb.count)
                hash(tokens: tb, lowered: scratch.tokens.lowered, bytes: bytes, chars: charBuffer, into: &sink, scan: &scan)
                applyRules(tokens: tb, scan: scan, dense: dense, matches: scratch.matches.room(for: tb.count), evidence: &scratch.evidence, applied: &scratch.applied, explain: false)
                var wide = [Int](repeating: 0, count: table.outputs)
                table.sum(sink.buckets, into: &wide)
                count = sink.buckets.count
                swap(&sink.buckets, &scratch.buckets)
                for o in 0..<table.outputs { sums[o] = HashedTable.value(codeSum: wide[o], scale: table.scales[o], count: count) }
                return
            }
            for o in 0..<table.outputs { sums[o] = HashedTable.value(codeSum: c[o], scale: table.scales[o], count: count) }
        }
    }
}
