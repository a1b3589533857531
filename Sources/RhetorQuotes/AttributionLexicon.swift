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
    public let cues: [UInt64: CueKind]
    public let cueMaxTokens: Int
    public let words: [UInt64: SpeakerWordKind]
    public let wordMaxTokens: Int
    public let files: [String: (version: String, sha256: String)]

    public static let fileNames = ["speech-cues.tsv", "speakers.tsv"]

    /// Loads both files from a lexicon directory.
    public init(directory: URL) throws {
        let cueFile = try LexiconFile(contentsOf: directory.appendingPathComponent("speech-cues.tsv"))
        try cueFile.expectName("speech-cues")
        let speakerFile = try LexiconFile(contentsOf: directory.appendingPathComponent("speakers.tsv"))
        try speakerFile.expectName("speakers")
        var cues: [UInt64: CueKind] = [:]
        var cueMax = 1
        let ck = try cueFile.column("kind")
        for row in cueFile.rows {
            guard let kind = CueKind(rawValue: row.fields[ck]) else {
                throw DataFileError(path: cueFile.path, line: row.line, problem: "kind '\(row.fields[ck])' is not verb, as-verb, phrase or post-verb")
            }
            let toks = PhraseKey.tokens(of: row.term)
            cues[TermHash.phrase(toks)] = kind
            cueMax = max(cueMax, toks.count)
        }
        var words: [UInt64: SpeakerWordKind] = [:]
        var wordMax = 1
        let wk = try speakerFile.column("kind")
        for row in speakerFile.rows {
            guard let kind = SpeakerWordKind(rawValue: row.fields[wk]) else {
                throw DataFileError(path: speakerFile.path, line: row.line, problem: "kind '\(row.fields[wk])' is not a known speaker word kind")
            }
            let toks = PhraseKey.tokens(of: row.term)
            words[TermHash.phrase(toks)] = kind
            wordMax = max(wordMax, toks.count)
        }
        self.cues = cues
        self.words = words
        cueMaxTokens = cueMax
        wordMaxTokens = wordMax
        files = [cueFile.name: (cueFile.version, cueFile.sha256), speakerFile.name: (speakerFile.version, speakerFile.sha256)]
    }

    /// The longest entry of `table` starting at token `i`: (kind, token count).
    func longest<K>(_ table: [UInt64: K], max: Int, _ tokens: [Token], at i: Int, limit: Int) -> (K, Int)? {
        var h: UInt64 = 0
        var best: (K, Int)?
        var len = 0
        while len < max, i + len < limit {
            let t = tokens[i + len]
            h = len == 0 ? t.hash : TermHash.combine(h, t.hash)
            len += 1
            if let k = table[h] { best = (k, len) }
        }
        return best
    }
}
