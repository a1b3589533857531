import Dispatch
import Foundation
import RhetorQuotes
import RhetorScoring
import RhetorText
import RhetorTimeline

/// Runs articles through quotes and scoring and stores the result, idempotently.
public final class Ingestor: @unchecked Sendable {
    public let store: TimelineStore
    public let pipeline: QuotePipeline
    public let rescore: Bool
    public let modelVersion: String
    /// Test hook: after this many articles written in this process, the process kills itself
    /// with SIGKILL inside the open transaction (set from `RHETOR_TEST_KILL_AFTER`).
    let killAfter: Int?
    var written = 0

    /// Counts of a run: every input record is read or failed; every read article is inserted,
    /// replaced, unchanged or stale.
    public struct Counts: Sendable, Equatable {
        public var failed = 0
        public var inserted = 0
        public var replaced = 0
        public var unchanged = 0
        public var stale = 0
        public var quotes = 0
        public var records: Int { failed + inserted + replaced + unchanged + stale }
        public init() {}
    }

    public init(store: TimelineStore, pipeline: QuotePipeline, rescore: Bool) {
        self.store = store
        self.pipeline = pipeline
        self.rescore = rescore
        let m = pipeline.scorer.model.manifest
        modelVersion = "\(m.name)@\(m.version)"
        killAfter = ProcessInfo.processInfo.environment["RHETOR_TEST_KILL_AFTER"].flatMap { Int($0) }
    }

    /// The content hash of an article: SHA-256 over its fields, each length-prefixed.
    public static func contentHash(_ r: ArticleRecord) -> String {
        var bytes: [UInt8] = []
        for field in [r.id.text, r.date ?? "", r.title ?? "", r.source ?? "", r.text ?? ""] {
            let u = Array(field.utf8)
            bytes += Array(String(u.count).utf8) + [0x3A] + u
        }
        return SHA256.hex(bytes)
    }

    /// Ingests one batch in one transaction; bad records are reported through `report`.
    public func ingest(_ batch: [ArticleRecord], counts: inout Counts, report: (String) -> Void) throws {
        var good: [ArticleRecord] = []
        for r in batch {
            if let e = r.error {
                counts.failed += 1
                report("line \(r.line): \(e)")
            } else if r.id == .none || r.id.text.isEmpty {
                counts.failed += 1
                report("line \(r.line): no \"id\": ingest needs an id to recognise the article again")
            } else if let d = r.date, PlainDate(d) == nil {
                counts.failed += 1
                report("line \(r.line): date '\(d)' is not YYYY-MM-DD")
            } else {
                good.append(r)
            }
        }
        let hashes = good.map(Self.contentHash)
        let stored = try store.existing(good.map(\.id.text))
        // Only new, changed or rescored articles go through extraction and scoring.
        var work: [Int] = []
        for (i, r) in good.enumerated() {
            if let s = stored[r.id.text], s.hash == hashes[i], s.model == modelVersion || !rescore { continue }
            work.append(i)
        }
        let todo = work
        let articles = good
        var results = [[StoredQuote]](repeating: [], count: good.count)
        let workers = max(1, min(pipeline.threads, work.count))
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < todo.count {
                    let i = todo[k]
                    out[i] = storedQuotes(articles[i])
                    k += workers
                }
            }
        }
        let rows = good.enumerated().map { i, r in
            (StoredArticle(id: r.id.text, date: r.date.flatMap { PlainDate($0)?.description }, source: r.source, title: r.title, contentHash: hashes[i]), results[i])
        }
        let outcomes = try store.write(rows, modelVersion: modelVersion, rescore: rescore) { _ in
            self.written += 1
            if let k = self.killAfter, self.written >= k { kill(getpid(), SIGKILL) }
        }
        for (o, row) in zip(outcomes, rows) {
            switch o {
            case .inserted: counts.inserted += 1; counts.quotes += row.1.count
            case .replaced: counts.replaced += 1; counts.quotes += row.1.count
            case .unchanged: counts.unchanged += 1
            case .staleModel: counts.stale += 1
            }
        }
    }

    /// Extracts, scores and explains one article's quotes.
    func storedQuotes(_ r: ArticleRecord) -> [StoredQuote] {
        pipeline.process(r).enumerated().map { i, s in
            let q = s.quote
            return StoredQuote(ordinal: i, start: q.start, end: q.end, text: q.text, kind: q.kind.rawValue, speaker: q.speaker,
                               mention: q.speakerMention, mentionStart: q.speakerStart, mentionEnd: q.speakerEnd, cue: q.cue,
                               hostility: Double(JSONWriter.format(Double(s.scores.values[0])))!,
                               certainty: Double(JSONWriter.format(Double(s.scores.values[1])))!,
                               valence: Double(JSONWriter.format(Double(s.scores.values[2])))!,
                               explanation: Self.explanationJSON(pipeline.scorer.model.explain(q.text)))
        }
    }

    /// The four largest contributions per output, as compact JSON.
    static func explanationJSON(_ e: [OutputExplanation]) -> String {
        var w = JSONWriter()
        w.raw("{")
        for (i, o) in e.enumerated() {
            if i > 0 { w.raw(",") }
            w.key(o.output)
            w.raw("[")
            for (j, c) in o.contributions.prefix(4).enumerated() {
                if j > 0 { w.raw(",") }
                w.raw("[")
                w.string(c.label)
                w.raw(",")
                w.number(Double(c.contribution), decimals: 3)
                w.raw("]")
            }
            w.raw("]")
        }
        w.raw("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
