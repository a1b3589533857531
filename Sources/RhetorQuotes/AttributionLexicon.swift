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
            guard let slot = table.index.find(h) else { break }
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

    /// Keys are stored in ascending order, so the layout is the same on every run.
    public init(_ pairs: [UInt64: Value], prefixes: Set<UInt64> = []) {
        let keys = Set(pairs.keys).union(prefixes).sorted()
        values = keys.map { pairs[$0] }
        index = PhraseTable(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
    }

    /// False when no key (entry or phrase prefix) is `key`: the phrase table's filter bit.
    @inline(__always)
    func mayStart(_ key: UInt64) -> Bool { index.mayContain(key) }

    public subscript(key: UInt64) -> Value? {
        index.find(key).flatMap { values[$0] }
    }

    public var count: Int { values.lazy.filter { $0 != nil }.count }
}
