import Foundation
import RhetorScoring
import RhetorText

/// How a speech cue attaches to its speaker and quote.
public enum CueKind: String, Sendable {
    /// X said / said X / X said: "..."
    case verb
    /// X described Y as "..." / X called Y "..."
    case asVerb = "as-verb"
    /// according to X
    case phrase
    /// A third-person form that is also a common noun (notes, remarks): a cue only right after a
    /// quote and its speaker.
    case postVerb = "post-verb"
}

/// What a word means for finding speakers.
public enum SpeakerWordKind: String, Sendable {
    case title, modifier
    case orgHead = "org-head"
    case pronounPerson = "pronoun-person"
    case pronounFirst = "pronoun-first"
    case pronounGroup = "pronoun-group"
    case pronounRole = "pronoun-role"
    case stop
    case workNoun = "work-noun"
    case abbreviation
}

/// The two attribution lexicons (`speech-cues.tsv`, `speakers.tsv`) compiled for token-phrase lookup.
public struct AttributionLexicon: Sendable {
    public let cues: KeyedTable<CueKind>
    public let cueMaxTokens: Int
    public let words: KeyedTable<SpeakerWordKind>
    public let wordMaxTokens: Int
    /// The first tokens' hashes of the `speakers` entries that are pronouns or role nouns: a
    /// token that is none of them opens no pronoun or role mention.
    public let pronounStarts: [UInt64]
    public let files: [String: (version: String, sha256: String)]

    public static let fileNames = ["speech-cues.tsv", "speakers.tsv"]

    /// Loads both files from a lexicon directory.
    public init(directory: URL) throws {
        let cueFile = try LexiconFile(contentsOf: directory.appendingPathComponent("speech-cues.tsv"))
        try cueFile.expectName("speech-cues")
        let speakerFile = try LexiconFile(contentsOf: directory.appendingPathComponent("speakers.tsv"))
        try speakerFile.expectName("speakers")
        let (cues, cueMax) = try Self.table(cueFile, CueKind.self)
        let (words, wordMax) = try Self.table(speakerFile, SpeakerWordKind.self)
        self.cues = cues
        self.words = words
        cueMaxTokens = cueMax
        wordMaxTokens = wordMax
        let kindColumn = try speakerFile.column("kind")
        let pronounKinds: Set<SpeakerWordKind> = [.pronounPerson, .pronounFirst, .pronounGroup, .pronounRole]
        pronounStarts = speakerFile.rows.compactMap { row in
            guard let kind = SpeakerWordKind(rawValue: speakerFile.field(row, kindColumn)), pronounKinds.contains(kind) else { return nil }
            return speakerFile.termTokens(of: row).first
        }
        files = [cueFile.name: (cueFile.version, cueFile.sha256), speakerFile.name: (speakerFile.version, speakerFile.sha256)]
    }

    /// A lexicon's terms keyed by phrase hash, with their `kind` column, and the longest phrase.
    static func table<K: RawRepresentable>(_ file: LexiconFile, _: K.Type) throws -> (KeyedTable<K>, Int) where K.RawValue == String {
        let kindColumn = try file.column("kind")
        var out: [UInt64: K] = [:]
        var prefixes: Set<UInt64> = []
        var longest = 1
        for row in file.rows {
            let kindName = file.field(row, kindColumn)
            guard let kind = K(rawValue: kindName) else {
                throw DataFileError(path: file.path, line: row.line, problem: "kind '\(kindName)' is not one of this lexicon's kinds")
            }
            out[row.key] = kind
            longest = max(longest, row.tokenCount)
            file.insertPrefixHashes(of: row, into: &prefixes)
        }
        return (KeyedTable(out, prefixes: prefixes), longest)
    }

    /// The longest entry of `table` starting at token `i`: (kind, token count).
    func longest<K>(_ table: KeyedTable<K>, max: Int, _ tokens: [Token], at i: Int, limit: Int) -> (K, Int)? {
        var h: UInt64 = 0
        var best: (K, Int)?
        var len = 0
        while len < max, i + len < limit {
            let t = tokens[i + len]
            h = len == 0 ? t.hash : TermHash.combine(h, t.hash)
            len += 1
            // No entry starts with these tokens: no longer phrase can match either.
            guard let slot = table.find(h) else { break }
            if let k = table.values[slot] { best = (k, len) }
        }
        return best
    }
}

/// A read-only map from 64-bit phrase hashes to values on the lexicon's open-addressing table
/// (`PhraseTable`), which skips Swift's per-lookup SipHash: the hashes are already mixed.
///
/// `prefixes` (phrase hashes of proper prefixes of multi-token keys) are stored with no value, so
/// a phrase matcher can stop at the first token sequence that no key starts with.
public struct KeyedTable<Value: Sendable>: Sendable {
    let index: PhraseTable
    /// Indexed by `index`'s values; nil for a prefix-only key.
    let values: [Value?]
    /// One bit per value of a key's top `filterBits` bits, set for every key (entries and
    /// prefixes). The phrase table's own filter is 32 KB, sized for the scoring lexicons'
    /// ~10^5 terms; asked once or twice for every token of an article, it missed L1 on most of
    /// them. These tables hold ~10^3 keys, so 2 KB keeps false hits near 1 in 30.
    let filter: [UInt64]
    static var filterBits: UInt64 { 14 }

    /// Keys are stored in ascending order, so the layout is the same on every run.
    public init(_ pairs: [UInt64: Value], prefixes: Set<UInt64> = []) {
        let keys = Set(pairs.keys).union(prefixes).sorted()
        values = keys.map { pairs[$0] }
        index = PhraseTable(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
        var filter = [UInt64](repeating: 0, count: 1 << (Int(Self.filterBits) - 6))
        for k in keys {
            let f = Self.filterBit(k)
            filter[f >> 6] |= 1 << UInt64(f & 63)
        }
        self.filter = filter
    }

    /// The filter bit of `key` (0 is stored as 1 by the phrase table, so it is filtered as 1).
    @inline(__always)
    static func filterBit(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key == 0 ? 1 : key) >> (64 - filterBits)) }

    /// False when no key (entry or phrase prefix) is `key`.
    @inline(__always)
    func mayStart(_ key: UInt64) -> Bool {
        let f = Self.filterBit(key)
        return filter[f >> 6] & (1 << UInt64(f & 63)) != 0
    }

    /// The index of `key` in `values`, or nil when it is not a key.
    @inline(__always)
    func find(_ key: UInt64) -> Int? {
        guard mayStart(key), let hit = index.probe(key) else { return nil }
        return hit.value
    }

    public subscript(key: UInt64) -> Value? {
        find(key).flatMap { values[$0] }
    }

    public var count: Int { values.lazy.filter { $0 != nil }.count }
}
