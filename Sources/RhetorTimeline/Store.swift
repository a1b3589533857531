import Foundation
import GRDB

/// An article as stored.
public struct StoredArticle: Sendable, Equatable {
    public var id: String
    public var date: String?
    public var source: String?
    public var title: String?
    /// SHA-256 of the article's id, date, title, source and text: a changed article gets a new hash.
    public var contentHash: String

    public init(id: String, date: String?, source: String?, title: String?, contentHash: String) {
        self.id = id
        self.date = date
        self.source = source
        self.title = title
        self.contentHash = contentHash
    }
}

/// A quote as stored, with its scores and a short explanation.
public struct StoredQuote: Sendable, Equatable {
    public var ordinal: Int
    public var start: Int
    public var end: Int
    public var text: String
    public var kind: String
    public var speaker: String?
    public var mention: String?
    public var mentionStart: Int?
    public var mentionEnd: Int?
    public var cue: String?
    public var hostility: Double
    public var certainty: Double
    public var valence: Double
    /// JSON: the top contributions per output ({"hostility": [["label", 1.23], ...], ...}).
    public var explanation: String

    public init(ordinal: Int, start: Int, end: Int, text: String, kind: String, speaker: String?, mention: String?,
                mentionStart: Int?, mentionEnd: Int?, cue: String?, hostility: Double, certainty: Double, valence: Double, explanation: String) {
        self.ordinal = ordinal
        self.start = start
        self.end = end
        self.text = text
        self.kind = kind
        self.speaker = speaker
        self.mention = mention
        self.mentionStart = mentionStart
        self.mentionEnd = mentionEnd
        self.cue = cue
        self.hostility = hostility
        self.certainty = certainty
        self.valence = valence
        self.explanation = explanation
    }
}

/// What ingesting one article did.
public enum IngestOutcome: String, Sendable {
    /// A new article.
    case inserted
    /// Same id and content as stored: nothing changed.
    case unchanged
    /// Same id, new content (or `--rescore`): its old quotes were replaced.
    case replaced
    /// Stored with another model version and not rescored.
    case staleModel
}

/// One speaker's summary.
public struct SpeakerSummary: Sendable, Equatable {
    public var speaker: String
    public var quotes: Int
    public var articles: Int
    public var first: String?
    public var last: String?
}

/// A quote for reports: its speaker (after aliases), date, scores and explanation.
public struct ReportQuote: Sendable {
    public var speaker: String
    public var date: PlainDate
    public var article: String
    public var text: String
    public var kind: String
    public var hostility: Double
    public var certainty: Double
    public var valence: Double
    public var explanation: String

    public func value(_ m: Metric) -> Double {
        switch m {
        case .hostility: hostility
        case .certainty: certainty
        case .valence: valence
        }
    }
}

/// The embedded SQLite store of articles, quotes, scores, speakers and aliases.
public final class TimelineStore: @unchecked Sendable {
    public let path: String
    let db: DatabaseQueue

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        db = try DatabaseQueue(path: path, configuration: config)
        try Self.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE article (
                    id TEXT PRIMARY KEY NOT NULL,
                    date TEXT,
                    source TEXT,
                    title TEXT,
                    contentHash TEXT NOT NULL,
                    modelVersion TEXT NOT NULL
                );
                CREATE TABLE quote (
                    article TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
                    ordinal INTEGER NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    speaker TEXT,
                    mention TEXT,
                    mentionStart INTEGER,
                    mentionEnd INTEGER,
                    cue TEXT,
                    hostility REAL NOT NULL,
                    certainty REAL NOT NULL,
                    valence REAL NOT NULL,
                    explanation TEXT NOT NULL,
                    modelVersion TEXT NOT NULL,
                    PRIMARY KEY (article, ordinal)
                );
                CREATE INDEX quote_speaker ON quote(speaker);
                CREATE TABLE speaker (name TEXT PRIMARY KEY NOT NULL);
                CREATE TABLE alias (alias TEXT PRIMARY KEY NOT NULL COLLATE NOCASE, name TEXT NOT NULL);
                """)
        }
        return m
    }

    /// The stored content hash and model version of each of `ids` that exists.
    public func existing(_ ids: [String]) throws -> [String: (hash: String, model: String)] {
        try db.read { db in
            var out: [String: (String, String)] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(ids.count, chunk + 500)])
                let marks = part.map { _ in "?" }.joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT id, contentHash, modelVersion FROM article WHERE id IN (\(marks))", arguments: StatementArguments(part)) {
                    out[row["id"]] = (row["contentHash"], row["modelVersion"])
                }
            }
            return out
        }
    }

    /// Writes articles with their quotes in one transaction: a new article is inserted, a stored
    /// one with other content (or `rescore`) has its quotes replaced, an identical one is left
    /// alone. `afterEach` runs inside the transaction after each article (a test hook).
    public func write(_ batch: [(StoredArticle, [StoredQuote])], modelVersion: String, rescore: Bool,
                      afterEach: ((Int) -> Void)? = nil) throws -> [IngestOutcome] {
        try db.write { db in
            var outcomes: [IngestOutcome] = []
            for (k, (a, quotes)) in batch.enumerated() {
                let stored = try Row.fetchOne(db, sql: "SELECT contentHash, modelVersion FROM article WHERE id = ?", arguments: [a.id])
                let outcome: IngestOutcome
                if let stored {
                    let sameContent = (stored["contentHash"] as String) == a.contentHash
                    let sameModel = (stored["modelVersion"] as String) == modelVersion
                    if sameContent && sameModel { outcomes.append(.unchanged); afterEach?(k); continue }
                    if sameContent && !rescore { outcomes.append(.staleModel); afterEach?(k); continue }
                    try db.execute(sql: "DELETE FROM quote WHERE article = ?", arguments: [a.id])
                    try db.execute(sql: "UPDATE article SET date = ?, source = ?, title = ?, contentHash = ?, modelVersion = ? WHERE id = ?",
                                   arguments: [a.date, a.source, a.title, a.contentHash, modelVersion, a.id])
                    outcome = .replaced
                } else {
                    try db.execute(sql: "INSERT INTO article (id, date, source, title, contentHash, modelVersion) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [a.id, a.date, a.source, a.title, a.contentHash, modelVersion])
                    outcome = .inserted
                }
                for q in quotes {
                    try db.execute(sql: """
                        INSERT INTO quote (article, ordinal, start, "end", text, kind, speaker, mention, mentionStart, mentionEnd, cue,
                                           hostility, certainty, valence, explanation, modelVersion)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [a.id, q.ordinal, q.start, q.end, q.text, q.kind, q.speaker, q.mention, q.mentionStart, q.mentionEnd, q.cue,
                                         q.hostility, q.certainty, q.valence, q.explanation, modelVersion])
                    if let s = q.speaker { try db.execute(sql: "INSERT OR IGNORE INTO speaker (name) VALUES (?)", arguments: [s]) }
                }
                outcomes.append(outcome)
                afterEach?(k)
            }
            return outcomes
        }
    }

    /// Maps `alias` (case-insensitive) to the canonical `name`.
    public func addAlias(_ alias: String, name: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT INTO alias (alias, name) VALUES (?, ?) ON CONFLICT(alias) DO UPDATE SET name = excluded.name", arguments: [alias, name])
        }
    }

    public func aliases() throws -> [(String, String)] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT alias, name FROM alias ORDER BY alias").map { ($0["alias"], $0["name"]) } }
    }

    /// The canonical name for a name or alias: the alias table first, then a one-word name that
    /// is the last word of exactly one longer speaker name ("Obama" → "Barack Obama").
    public func resolve(_ name: String) throws -> String {
        if let a = try db.read({ db in try String.fetchOne(db, sql: "SELECT name FROM alias WHERE alias = ?", arguments: [name]) }) { return a }
        return try surnameMap()[name.lowercased()] ?? name
    }

    /// One-word speaker names that are the last word of exactly one longer speaker name.
    func surnameMap() throws -> [String: String] {
        let names = try db.read { db in try String.fetchAll(db, sql: "SELECT name FROM speaker") }
        var full: [String: Set<String>] = [:]
        let singles = Set(names.filter { !$0.contains(" ") }.map { $0.lowercased() })
        for n in names where n.contains(" ") {
            if let last = n.split(separator: " ").last?.lowercased(), singles.contains(last) { full[last, default: []].insert(n) }
        }
        return full.compactMapValues { $0.count == 1 ? $0.first : nil }
    }

    /// A speaker name as reports show it: alias first, else the surname map.
    func display(_ name: String, aliased: Bool, surnames: [String: String]) -> String {
        aliased ? name : (surnames[name.lowercased()] ?? name)
    }

    /// The model versions that scored stored quotes, with quote counts.
    public func modelVersions() throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT modelVersion, COUNT(*) AS n FROM article GROUP BY modelVersion") { out[row["modelVersion"]] = row["n"] }
            return out
        }
    }

    /// The SQL expression of a quote's speaker after aliases.
    static let speakerSQL = "COALESCE((SELECT name FROM alias WHERE alias.alias = quote.speaker), quote.speaker)"

    /// Every speaker with quote and article counts and first and last dates, most quoted first.
    public func speakers() throws -> [SpeakerSummary] {
        let surnames = try surnameMap()
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.speakerSQL) AS s, EXISTS(SELECT 1 FROM alias WHERE alias.alias = quote.speaker) AS aliased,
                       quote.article AS article, substr(article.date, 1, 10) AS date
                FROM quote JOIN article ON article.id = quote.article
                WHERE quote.speaker IS NOT NULL
                """)
        }
        var byName: [String: (quotes: Int, articles: Set<String>, first: String?, last: String?)] = [:]
        for r in rows {
            let name = display(r["s"], aliased: r["aliased"], surnames: surnames)
            var e = byName[name] ?? (0, [], nil, nil)
            e.quotes += 1
            e.articles.insert(r["article"])
            if let d: String = r["date"], PlainDate(d) != nil {
                if e.first.map({ d < $0 }) ?? true { e.first = d }
                if e.last.map({ d > $0 }) ?? true { e.last = d }
            }
            byName[name] = e
        }
        return byName.map { SpeakerSummary(speaker: $0.key, quotes: $0.value.quotes, articles: $0.value.articles.count, first: $0.value.first, last: $0.value.last) }
            .sorted { $0.quotes != $1.quotes ? $0.quotes > $1.quotes : $0.speaker < $1.speaker }
    }

    /// Quotes of the given speakers (canonical names or aliases, case-insensitive) with valid
    /// dates in `from...to`, in date order; also the number left out for a missing or bad date.
    public func quotes(speakers: [String], excludeFragments: Bool, from: PlainDate? = nil, to: PlainDate? = nil) throws -> (quotes: [ReportQuote], undated: Int) {
        let wanted = Set(try speakers.map { try resolve($0).lowercased() })
        let surnames = try surnameMap()
        // Stored names that display as a wanted name: the name itself and one-word names mapped to it.
        var names = Array(wanted)
        for (short, full) in surnames where wanted.contains(full.lowercased()) { names.append(short) }
        return try db.read { db in
            let marks = names.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.speakerSQL) AS s, EXISTS(SELECT 1 FROM alias WHERE alias.alias = quote.speaker) AS aliased, article.date AS date, quote.article AS article, quote.text AS text, quote.kind AS kind,
                       quote.hostility AS hostility, quote.certainty AS certainty, quote.valence AS valence, quote.explanation AS explanation
                FROM quote JOIN article ON article.id = quote.article
                WHERE lower(\(Self.speakerSQL)) IN (\(marks)) \(excludeFragments ? "AND quote.kind != 'fragment'" : "")
                ORDER BY article.date, quote.article, quote.ordinal
                """, arguments: StatementArguments(names))
            var out: [ReportQuote] = []
            var undated = 0
            // Each speaker is shown under its most frequent stored spelling ("Hillary Clinton", not
            // a typo's "HIllary Clinton").
            var spellings: [String: [String: Int]] = [:]
            var matched: [(Row, String)] = []
            for r in rows {
                let name = display(r["s"], aliased: r["aliased"], surnames: surnames)
                guard wanted.contains(name.lowercased()) else { continue }
                spellings[name.lowercased(), default: [:]][name, default: 0] += 1
                matched.append((r, name))
            }
            let shown = spellings.mapValues { $0.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key }
            for (r, name) in matched {
                guard let ds: String = r["date"], let d = PlainDate(ds) else { undated += 1; continue }
                if let from, d < from { continue }
                if let to, to < d { continue }
                out.append(ReportQuote(speaker: shown[name.lowercased()]!, date: d, article: r["article"], text: r["text"], kind: r["kind"],
                                       hostility: r["hostility"], certainty: r["certainty"], valence: r["valence"], explanation: r["explanation"]))
            }
            return (out, undated)
        }
    }

    /// Every stored row as text, in a fixed order (for tests and audits).
    public func dump() throws -> [String] {
        try db.read { db in
            let a = try Row.fetchAll(db, sql: "SELECT * FROM article ORDER BY id").map { $0.description }
            let q = try Row.fetchAll(db, sql: "SELECT * FROM quote ORDER BY article, ordinal").map { $0.description }
            let s = try Row.fetchAll(db, sql: "SELECT * FROM speaker ORDER BY name").map { $0.description }
            let al = try Row.fetchAll(db, sql: "SELECT * FROM alias ORDER BY alias").map { $0.description }
            return a + q + s + al
        }
    }
}
