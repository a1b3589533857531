import Foundation
import RhetorText

/// Hostility sub-categories, in the order of the dense features they feed.
public enum HostilityCategory: Int, CaseIterable, Sendable {
    case threat, insult, contempt, accusation, aggression, profanity

    /// The category's name as lexicon files spell it.
    public var name: String {
        switch self {
        case .threat: "threat"
        case .insult: "insult"
        case .contempt: "contempt"
        case .accusation: "accusation"
        case .aggression: "aggression"
        case .profanity: "profanity"
        }
    }
}

/// What a modifier does to the lexicon terms after it.
public enum ModifierKind: UInt8, Sendable {
    case none, negator, intensifier, dampener, contrast
}

/// Everything the lexicons say about one term or phrase.
public struct LexiconEntry: Sendable {
    /// Index into `LexiconSet.terms`.
    public var term: Int32 = -1
    /// Tokens in the phrase.
    public var length: UInt8 = 0
    /// False for a key that only exists as the prefix of a longer phrase.
    public var isEntry = false
    /// True when the key is also the start of a longer phrase: only then does the matcher look
    /// at the next token (most entries are single words that start nothing longer).
    public var extends = false
    public var hostility: Float = 0
    public var hostilityCategory: HostilityCategory?
    /// Positive for boosters, negative for hedges, 0 when not a certainty marker.
    public var certainty: Float = 0
    /// VADER-scale valence (-4...+4), 0 when not in the valence lexicon.
    public var valence: Float = 0
    public var modifier: ModifierKind = .none
    public var modifierWeight: Float = 0

    /// True when the entry scores something (not only a modifier).
    public var isScored: Bool { hostility != 0 || certainty != 0 || valence != 0 }
}

/// The rule constants from `rules.tsv`, each with its documented source.
public struct RuleConstants: Sendable {
    public var allCapsBoost: Float
    public var contrastBefore: Float
    public var exclamationCap: Float
    public var exclamationStep: Float
    public var modifierDecay2: Float
    public var modifierDecay3: Float
    public var negationScope: Int
    public var questionCap: Float
    public var questionStep: Float
    public var vaderAlpha: Float
}

/// The lexicons a model uses, compiled into one phrase table.
public struct LexiconSet: Sendable {
    /// The files every lexicon directory holds.
    public static let fileNames = ["certainty.tsv", "hostility.tsv", "modifiers.tsv", "rules.tsv", "valence.tsv"]

    /// The terms, indexed by `LexiconEntry.term`.
    public private(set) var terms: [String] = []
    public private(set) var entries: [LexiconEntry] = []
    public let table: PhraseTable
    public let rules: RuleConstants
    /// The longest phrase in any lexicon, in tokens: the matcher never looks further.
    public let phraseMaxTokens: Int
    /// One bit per `pairSlot` of the first two tokens of every phrase of two tokens or more:
    /// a clear bit says no phrase starts with a token pair, from one multiply and a 512-byte
    /// array (always in L1). Most lexicon starts in news (`the`, `of`, `in`, `a`) also begin a
    /// phrase, and the pair's full key (`TermHash.combine`, three multiplies) and the phrase
    /// table's 32 KB filter cost ~33 instructions and, often, a wait on a cache line (perf:
    /// 11 % of the rules' time on that filter's load) for each.
    @usableFromInline let pairStarts: [UInt64]
    @usableFromInline static let pairStartBits: UInt64 = 12
    /// `name` → (version, sha256) of each file.
    public let files: [String: (version: String, sha256: String)]

    /// Loads and validates the five lexicon files from a directory.
    public init(directory: URL) throws {
        var parsed: [String: LexiconFile] = [:]
        for name in Self.fileNames {
            parsed[name] = try LexiconFile(contentsOf: directory.appendingPathComponent(name))
        }
        try self.init(files: parsed)
    }

    /// Builds the set from parsed files keyed by file name.
    public init(files parsed: [String: LexiconFile]) throws {
        var entries: [LexiconEntry] = []
        var terms: [String] = []
        var index: [UInt64: Int] = [:]
        var prefixes: Set<UInt64> = []
        var pairStarts = [UInt64](repeating: 0, count: 1 << (Self.pairStartBits - 6))

        func entry(for row: LexiconFile.Row, in file: LexiconFile) -> Int {
            if let i = index[row.key] { return i }
            if row.tokenCount > 1 {
                let tokens = file.termTokens(of: row)
                let slot = Self.pairSlot(tokens[tokens.startIndex], tokens[tokens.startIndex + 1])
                pairStarts[Int(slot >> 6)] |= 1 << (slot & 63)
            }
            var e = LexiconEntry()
            e.term = Int32(terms.count)
            e.length = UInt8(clamping: row.tokenCount)
            e.isEntry = true
            terms.append(row.term)
            entries.append(e)
            index[row.key] = entries.count - 1
            file.insertPrefixHashes(of: row, into: &prefixes)
            return entries.count - 1
        }
        func file(_ name: String) throws -> LexiconFile {
            guard let f = parsed[name] else { throw DataFileError(path: name, line: 0, problem: "lexicon file missing") }
            return f
        }

        let hostility = try file("hostility.tsv")
        try hostility.expectName("hostility")
        let hCat = try hostility.column("category")
        let hW = try hostility.column("weight")
        for row in hostility.rows {
            let category = hostility.field(row, hCat)
            guard let cat = HostilityCategory.allCases.first(where: { $0.name == category }) else {
                throw DataFileError(path: hostility.path, line: row.line, problem: "unknown category '\(category)' (known: \(HostilityCategory.allCases.map(\.name).joined(separator: ", ")))")
            }
            let w = try hostility.number(row, hW)
            guard w > 0 else { throw DataFileError(path: hostility.path, line: row.line, problem: "hostility weight must be positive") }
            let i = entry(for: row, in: hostility)
            entries[i].hostility = w
            entries[i].hostilityCategory = cat
        }

        let certainty = try file("certainty.tsv")
        try certainty.expectName("certainty")
        let cKind = try certainty.column("kind")
        let cW = try certainty.column("weight")
        for row in certainty.rows {
            let w = try certainty.number(row, cW)
            let kind = certainty.field(row, cKind)
            switch kind {
            case "booster" where w > 0, "hedge" where w < 0: break
            case "booster", "hedge":
                throw DataFileError(path: certainty.path, line: row.line, problem: "a booster's weight must be positive and a hedge's negative")
            default:
                throw DataFileError(path: certainty.path, line: row.line, problem: "kind '\(kind)' is not booster or hedge")
            }
            entries[entry(for: row, in: certainty)].certainty = w
        }

        let valence = try file("valence.tsv")
        try valence.expectName("valence")
        let vW = try valence.column("weight")
        for row in valence.rows {
            let w = try valence.number(row, vW)
            guard abs(w) <= 4 else { throw DataFileError(path: valence.path, line: row.line, problem: "valence must be within -4...4") }
            entries[entry(for: row, in: valence)].valence = w
        }

        let modifiers = try file("modifiers.tsv")
        try modifiers.expectName("modifiers")
        let mKind = try modifiers.column("kind")
        let mW = try modifiers.column("weight")
        for row in modifiers.rows {
            let kind: ModifierKind
            let kindName = modifiers.field(row, mKind)
            switch kindName {
            case "negator": kind = .negator
            case "intensifier": kind = .intensifier
            case "dampener": kind = .dampener
            case "contrast": kind = .contrast
            default:
                throw DataFileError(path: modifiers.path, line: row.line, problem: "kind '\(kindName)' is not negator, intensifier, dampener or contrast")
            }
            let i = entry(for: row, in: modifiers)
            entries[i].modifier = kind
            entries[i].modifierWeight = try modifiers.number(row, mW)
        }

        let rulesFile = try file("rules.tsv")
        try rulesFile.expectName("rules")
        let rW = try rulesFile.column("weight")
        var values: [String: Float] = [:]
        for row in rulesFile.rows { values[row.term] = try rulesFile.number(row, rW) }
        func rule(_ name: String) throws -> Float {
            guard let v = values[name] else { throw DataFileError(path: rulesFile.path, line: 0, problem: "rule constant '\(name)' is missing") }
            return v
        }
        rules = RuleConstants(
            allCapsBoost: try rule("allcaps_boost"), contrastBefore: try rule("contrast_before"),
            exclamationCap: try rule("exclamation_cap"), exclamationStep: try rule("exclamation_step"),
            modifierDecay2: try rule("modifier_decay_2"), modifierDecay3: try rule("modifier_decay_3"),
            negationScope: Int(try rule("negation_scope")),
            questionCap: try rule("question_cap"), questionStep: try rule("question_step"),
            vaderAlpha: try rule("vader_alpha")
        )
        phraseMaxTokens = Int(entries.map(\.length).max() ?? 1)
        self.pairStarts = pairStarts

        // Prefix-only keys let the matcher stop as soon as no longer phrase can match.
        for p in prefixes where index[p] == nil {
            var e = LexiconEntry()
            e.isEntry = false
            entries.append(e)
            index[p] = entries.count - 1
        }
        for p in prefixes { entries[index[p]!].extends = true }
        self.entries = entries
        self.terms = terms
        // A hint packs an entry index in 30 bits (`hint(_:)`).
        precondition(entries.count < 1 << 29, "too many lexicon entries for a 32-bit hint")
        table = PhraseTable(index) { e in
            (entries[e].isEntry ? Self.isEntryTag : 0) | (entries[e].extends ? Self.extendsTag : 0)
        }
        var files: [String: (String, String)] = [:]
        for (_, f) in parsed { files[f.name] = (f.version, f.sha256) }
        self.files = files
    }

    /// The longest lexicon phrase starting at token `i`: (entry index, token count), or nil.
    @inlinable
    public func longestMatch(_ tokens: UnsafeBufferPointer<Token>, at i: Int) -> (entry: Int, length: Int)? {
        // The first key's filter bit is the caller's test; longer keys test theirs here. The
        // slot's tag carries the entry's flags, so the entry itself is not read.
        guard let hit = table.probe(tokens[i].hash) else { return nil }
        return longestMatch(tokens, at: i, first: hit)
    }

    /// The longest match at `i` given the phrase table's slot for the first token.
    @inlinable @inline(__always)
    func longestMatch(_ tokens: UnsafeBufferPointer<Token>, at i: Int, first: (value: Int, tag: UInt32)) -> (entry: Int, length: Int)? {
        longestMatch(tokens, at: i, key: tokens[i].hash, length: 1, hit: first, best: nil)
    }

    /// The matching loop from the key of tokens `i..<i+length` (found, with slot `hit`), given
    /// the best match among shorter keys.
    @inlinable @inline(__always)
    func longestMatch(_ tokens: UnsafeBufferPointer<Token>, at i: Int, key: UInt64, length: Int, hit: (value: Int, tag: UInt32),
                      best: (entry: Int, length: Int)?) -> (entry: Int, length: Int)? {
        var h = key
        var len = length
        var best = best
        var hit = hit
        while true {
            if hit.tag & Self.isEntryTag != 0 { best = (hit.value, len) }
            if hit.tag & Self.extendsTag == 0 || len >= phraseMaxTokens || i + len >= tokens.count { break }
            h = TermHash.combine(h, tokens[i + len].hash)
            len += 1
            guard table.mayContain(h), let next = table.probe(h) else { break }
            hit = next
        }
        return best
    }

    /// What the phrase table holds for a single token's hash, packed in 32 bits so a word cache
    /// can keep it beside the word: `absentHint` when nothing starts with the token, else the
    /// slot's value shifted left by 2 with its tag in the low bits.
    @inlinable @inline(__always)
    public func hint(_ hash: UInt64) -> Int32 {
        guard table.mayContain(hash), let hit = table.probe(hash) else { return Self.absentHint }
        return Int32(truncatingIfNeeded: hit.value &<< 2) | Int32(truncatingIfNeeded: hit.tag & 3)
    }

    /// `longestMatch(tokens, at: i)` given `hint(tokens[i].hash)`: the first lookup is the hint.
    ///
    /// Inlined for the common case, a key that starts no longer phrase, whose hint is the whole
    /// answer (most of a news statement's ~9 lexicon starts); longer phrases go to the loop.
    @inlinable @inline(__always)
    public func longestMatch(_ tokens: UnsafeBufferPointer<Token>, at i: Int, hint: Int32) -> (entry: Int, length: Int)? {
        guard hint >= 0 else { return nil }
        let tag = UInt32(truncatingIfNeeded: hint & 3)
        let single: (entry: Int, length: Int)? = tag & Self.isEntryTag != 0 ? (Int(hint &>> 2), 1) : nil
        if tag & Self.extendsTag == 0 { return single }
        // Most starts that could extend do not ("the", "of", "in" begin a few phrases each): a
        // clear bit for the token pair, or else for the two-token key in the table's filter,
        // answers that here as the loop would.
        guard phraseMaxTokens > 1, i + 1 < tokens.count, mayStartPhrase(tokens[i].hash, tokens[i + 1].hash) else { return single }
        let pair = TermHash.combine(tokens[i].hash, tokens[i + 1].hash)
        guard table.mayContain(pair) else { return single }
        return longestPhrase(tokens, at: i, pair: pair, single: single)
    }

    /// The `pairStarts` bit of two tokens' term hashes (the first's top bits, mixed with the
    /// second's by a multiply: term hashes are well mixed already).
    @inlinable @inline(__always)
    static func pairSlot(_ first: UInt64, _ second: UInt64) -> UInt64 {
        (first ^ (second &* 0x9E37_79B9_7F4A_7C15)) &>> (64 &- pairStartBits)
    }

    /// False when no phrase of two tokens or more starts with these two (term hashes).
    @inlinable @inline(__always)
    func mayStartPhrase(_ first: UInt64, _ second: UInt64) -> Bool {
        let slot = Self.pairSlot(first, second)
        return pairStarts[Int(truncatingIfNeeded: slot &>> 6)] & (1 &<< (slot & 63)) != 0
    }

    /// The loop of `longestMatch(tokens, at:first:)` out of line, from the two-token key `pair`
    /// whose filter bit is set: its probe, then longer keys.
    @inlinable @inline(never)
    func longestPhrase(_ tokens: UnsafeBufferPointer<Token>, at i: Int, pair: UInt64, single: (entry: Int, length: Int)?) -> (entry: Int, length: Int)? {
        guard let hit = table.probe(pair) else { return single }
        return longestMatch(tokens, at: i, key: pair, length: 2, hit: hit, best: single)
    }

    /// No lexicon key is the token (`hint`); `unknownHint`: not looked up (a caller's marker).
    public static let absentHint: Int32 = -1
    public static let unknownHint: Int32 = -2

    /// Phrase-table tag bits: the key is an entry; it starts a longer phrase.
    @usableFromInline static let isEntryTag: UInt32 = 1
    @usableFromInline static let extendsTag: UInt32 = 2
}

/// An open-addressing hash table from 64-bit phrase keys to entry indices (linear probing).
///
/// Capacity is a power of two at least twice the number of keys; key 0 marks an empty slot (a real
/// key of 0 is stored as 1, which only matters with probability 2^-64). A slot holds its key, its
/// value and a caller's tag (16 bytes): a probe that finds its key has everything in one cache
/// line, where parallel key and value arrays (and the entry read for its flags) cost up to three.
public struct PhraseTable: Sendable {
    @usableFromInline struct Slot: Sendable {
        @usableFromInline var key: UInt64 = 0
        @usableFromInline var value: Int32 = -1
        @usableFromInline var tag: UInt32 = 0
    }

    @usableFromInline let slots: [Slot]
    @usableFromInline let mask: Int
    /// One bit per value of the key's top `filterBits` bits, set for every stored key: a clear
    /// bit answers "absent" from a 32 KB array without touching the slots. Most tokens are not
    /// lexicon entries, so most lookups end here.
    @usableFromInline let filter: [UInt64]
    @usableFromInline static let filterBits: UInt64 = 18

    /// `tag(value)` is stored beside each value and returned by `lookup` (0 when not given).
    public init(_ pairs: [UInt64: Int], tag: (Int) -> UInt32 = { _ in 0 }) {
        var cap = 16
        while cap < pairs.count * 2 { cap <<= 1 }
        var slots = [Slot](repeating: Slot(), count: cap)
        // Insert in key order so the layout is identical on every run.
        for (k, v) in pairs.sorted(by: { $0.key < $1.key }) {
            let key = k == 0 ? 1 : k
            var slot = Int(truncatingIfNeeded: key) & (cap - 1)
            while slots[slot].key != 0 { slot = (slot + 1) & (cap - 1) }
            slots[slot] = Slot(key: key, value: Int32(v), tag: tag(v))
        }
        var filter = [UInt64](repeating: 0, count: 1 << (Int(Self.filterBits) - 6))
        for k in pairs.keys {
            let f = Int(truncatingIfNeeded: (k == 0 ? 1 : k) >> (64 - Self.filterBits))
            filter[f >> 6] |= 1 << UInt64(f & 63)
        }
        self.slots = slots
        self.filter = filter
        mask = cap - 1
    }

    /// False when `key` is certainly absent (one bit of the filter); true when it may be stored.
    @inlinable @inline(__always)
    public func mayContain(_ key: UInt64) -> Bool {
        let k = key == 0 ? 1 : key
        let f = Int(truncatingIfNeeded: k >> (64 - Self.filterBits))
        return filter[f >> 6] & (1 << UInt64(f & 63)) != 0
    }

    /// The value stored for `key`, or nil.
    @inlinable @inline(__always)
    public func find(_ key: UInt64) -> Int? {
        guard mayContain(key), let hit = probe(key) else { return nil }
        return hit.value
    }

    /// The value and tag stored for `key`, or nil, from the slots alone (no filter test: for a
    /// key whose filter bit the caller has just seen set).
    @inlinable @inline(__always)
    public func probe(_ key: UInt64) -> (value: Int, tag: UInt32)? {
        let k = key == 0 ? 1 : key
        return slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: k) & mask
            while true {
                let s = slots[slot]
                if s.key == k { return (Int(s.value), s.tag) }
                if s.key == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    public var count: Int { slots.lazy.filter { $0.key != 0 }.count }
}
