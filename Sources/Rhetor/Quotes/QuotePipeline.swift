import Dispatch
import Foundation
import RhetorQuotes
import RhetorScoring
import RhetorText

/// One input article.
public struct ArticleRecord: Sendable {
    public var line: Int
    public var id: RecordID
    public var text: String?
    public var date: String?
    public var title: String?
    public var source: String?
    public var error: String?
    /// A JSON line not parsed yet (the reader leaves parsing to the workers); nil once parsed.
    public var raw: [UInt8]?

    public init(line: Int, id: RecordID, text: String?, date: String? = nil, title: String? = nil, source: String? = nil, error: String? = nil,
                raw: [UInt8]? = nil) {
        self.line = line
        self.id = id
        self.text = text
        self.date = date
        self.title = title
        self.source = source
        self.error = error
        self.raw = raw
    }
}

/// Input formats of `rhetor quotes`.
public enum ArticleFormat: String, Sendable, CaseIterable {
    /// JSON lines with `id`, `text` and optional `date`, `title`, `source`.
    case jsonl
    /// One plain-text article per file.
    case text
    /// CSV with a header row (`id`, `text`, `date`, `title`, `source` columns).
    case csv

    /// The format a file's extension implies, or nil.
    public static func from(path: String) -> ArticleFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson": .jsonl
        case "csv": .csv
        case "txt", "text": .text
        default: nil
        }
    }
}

/// A quote with its article, speaker and scores, ready to render.
public struct ScoredQuote: Sendable {
    public var article: RecordID
    public var date: String?
    public var quote: ExtractedQuote
    public var scores: Scores
}

/// Runs articles through quote extraction, attribution and scoring.
public final class QuotePipeline: Sendable {
    public let extractor: QuoteExtractor
    public let scorer: BatchScorer
    public let outputFormat: ScoreOutputFormat
    public let threads: Int
    let modelTag: String
    /// A JSON quote line's pieces made once: each output's `,"<name>":`, and the line's end
    /// `,"model":"<tag>"}` with its newline.
    let quoteLineOutputKeys: [[UInt8]]
    let quoteLineEnd: [UInt8]
    /// Articles larger than this many UTF-8 bytes are reported as errors.
    public let maxArticleBytes: Int

    /// Stop after the first article that cannot be read (after writing its error record).
    public let strict: Bool
    /// Scorer scratches (buffers and the 2 MB word cache) kept across batches: a worker takes
    /// one for a batch and gives it back, so the cache stays warm and is not rebuilt per batch.
    let scratches = ScratchPool()

    public init(extractor: QuoteExtractor, model: LinearModel, outputFormat: ScoreOutputFormat, threads: Int, maxArticleBytes: Int = 64 << 20, strict: Bool = false) {
        self.strict = strict
        self.extractor = extractor
        scorer = BatchScorer(model: model)
        self.outputFormat = outputFormat
        self.threads = max(1, threads)
        self.maxArticleBytes = maxArticleBytes
        modelTag = "\(model.manifest.name)@\(model.manifest.version)"
        quoteLineOutputKeys = model.outputNames.map { name in
            var w = JSONWriter()
            w.raw(",")
            w.key(name)
            return w.bytes
        }
        var end = JSONWriter()
        end.raw(",")
        end.key("model")
        end.string(modelTag)
        end.raw("}\n")
        quoteLineEnd = end.bytes
    }

    /// Counts of a run.
    public struct Counts: Sendable, Equatable {
        public var articles = 0
        public var failed = 0
        public var quotes = 0
        /// UTF-8 bytes of article text processed (for progress and --stats).
        public var textBytes = 0
        /// True when --strict stopped the run at a failed article.
        public var stopped = false
        public init() {}

        /// Adds the counts of a later batch.
        public mutating func add(_ later: Counts) {
            articles += later.articles
            failed += later.failed
            quotes += later.quotes
            textBytes += later.textBytes
            stopped = stopped || later.stopped
        }
    }

    /// The CSV header line.
    public static let csvHeader = "article,start,end,text,speaker,speakerStart,speakerEnd,cue,kind,date,hostility,certainty,valence,model,line,error\n"

    /// Extracts, attributes and scores one article.
    /// Extracts and scores one article's quotes; `scratch` (one per thread) keeps the scorer's
    /// buffers and word cache warm across articles.
    public func process(_ r: ArticleRecord, scratch: ExtractionScratch = ExtractionScratch()) -> [ScoredQuote] {
        guard let text = r.text else { return [] }
        let quotes = extractor.extract(text)
        guard !quotes.isEmpty else { return [] }
        let scores = scorer.score(quotes.map(\.text), scratch: scratch)
        return zip(quotes, scores).map { ScoredQuote(article: r.id, date: r.date, quote: $0, scores: $1) }
    }

    /// Parses (when the reader left a raw JSON line), checks, extracts and renders a batch of
    /// articles on `threads` threads; the bytes do not depend on the thread count (each article
    /// is rendered on its own, joined in input order). With `strict`, output stops after the
    /// first article that failed. (`QuoteBatchRunner` renders batch after batch on threads that
    /// live for the run.)
    public func render(_ records: [ArticleRecord], counts: inout Counts) -> [UInt8] {
        var outputs = [ArticleOutput](repeating: ArticleOutput(), count: records.count)
        let workers = min(threads, max(1, records.count))
        outputs.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            let work = WorkCounter(count: records.count)
            records.withUnsafeBufferPointer { records in
            // Read-only here; the array outlives the call.
            nonisolated(unsafe) let records = records
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let worker = ArticleWorker(scratch: scratches.take())
                defer { scratches.give(worker.scratch) }
                while let i = work.take() {
                    out[i] = renderArticle(records.baseAddress! + i, worker: worker)
                }
            }
            }
        }
        return assemble(outputs, counts: &counts)
    }

    /// One article's output: its rendered lines, and its quotes and text bytes (quotes -1 for
    /// an article that failed).
    struct ArticleOutput {
        var bytes: [UInt8] = []
        var quotes = 0
        var textBytes = 0
    }

    /// A worker thread's reusable state: the scorer's scratch (its word cache stays warm from
    /// article to article) and the JSON scanner's buffers.
    final class ArticleWorker {
        let scratch: ExtractionScratch
        var jsonValues: [JSONLineScanner.Value?] = []
        var jsonArena: [UInt8] = []

        init(scratch: ExtractionScratch = ExtractionScratch()) { self.scratch = scratch }
    }

    /// Parses (when the reader left a raw JSON line), checks, extracts and renders one article.
    /// The record is read in place (copying it first retained and released its fields).
    func renderArticle(_ record: UnsafePointer<ArticleRecord>, worker: ArticleWorker) -> ArticleOutput {
        var r: ArticleRecord
        if let raw = record.pointee.raw {
            r = Self.jsonRecord(line: record.pointee.line, bytes: raw[...], values: &worker.jsonValues, arena: &worker.jsonArena)
        } else {
            r = record.pointee
        }
        if r.error == nil, let n = r.text?.utf8.count, n > maxArticleBytes {
            r.error = "text is \(n) bytes, over the limit of \(maxArticleBytes)"
        }
        if r.error != nil { return ArticleOutput(bytes: renderError(r), quotes: -1, textBytes: 0) }
        let qs = process(r, scratch: worker.scratch)
        return ArticleOutput(bytes: qs.flatMap { renderQuote($0, line: r.line) }, quotes: qs.count, textBytes: r.text?.utf8.count ?? 0)
    }

    /// A batch's article outputs joined in input order, counted; with `strict`, up to and
    /// including the first article that failed.
    func assemble(_ outputs: [ArticleOutput], counts: inout Counts) -> [UInt8] {
        var result: [UInt8] = []
        for o in outputs {
            result.append(contentsOf: o.bytes)
            if o.quotes < 0 {
                counts.failed += 1
                if strict { counts.stopped = true; break }
            } else {
                counts.articles += 1
                counts.quotes += o.quotes
                counts.textBytes += o.textBytes
            }
        }
        return result
    }


    func renderQuote(_ s: ScoredQuote, line: Int) -> [UInt8] {
        let q = s.quote
        switch outputFormat {
        case .jsonl:
            // Written into one buffer sized from bounds: 256 for the keys (117 bytes) and the
            // `null`s past their strings' room, four integers, the escaped strings (at most six
            // bytes per byte), the scores and the end. A JSONWriter appending piece by piece,
            // with a String per number, took ~20k instructions a line.
            func stringRoom(_ s: String?) -> Int { 6 * (s?.utf8.count ?? 0) + 2 }
            let bound = 256 + 4 * LineCursor.numberBytes + LineCursor.room(for: s.article)
                + stringRoom(q.text) + stringRoom(q.speaker) + stringRoom(q.speakerMention) + stringRoom(q.cue)
                + stringRoom(q.kind.rawValue) + stringRoom(s.date)
                + quoteLineOutputKeys.reduce(0) { $0 + $1.count + LineCursor.numberBytes } + quoteLineEnd.count
            return [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
                var c = LineCursor(base: buffer.baseAddress!, capacity: bound)
                c.put("{\"article\":"); c.id(s.article)
                c.put(",\"start\":"); c.integer(q.start)
                c.put(",\"end\":"); c.integer(q.end)
                c.put(",\"text\":"); c.string(q.text)
                c.put(",\"speaker\":"); c.optionalString(q.speaker)
                c.put(",\"speakerStart\":"); c.optionalInteger(q.speakerStart)
                c.put(",\"speakerEnd\":"); c.optionalInteger(q.speakerEnd)
                c.put(",\"speakerMention\":"); c.optionalString(q.speakerMention)
                c.put(",\"cue\":"); c.optionalString(q.cue)
                c.put(",\"kind\":"); c.string(q.kind.rawValue)
                c.put(",\"date\":"); c.optionalString(s.date)
                for (i, key) in quoteLineOutputKeys.enumerated() {
                    c.put(key)
                    c.number(Double(s.scores.values[i]), decimals: 4)
                }
                c.put(quoteLineEnd)
                precondition(!c.overflowed, "a quote line's bound holds every piece")
                written = c.count
            }
        case .csv:
            var fields = [s.article.text, String(q.start), String(q.end), q.text, q.speaker ?? "", q.speakerStart.map(String.init) ?? "",
                          q.speakerEnd.map(String.init) ?? "", q.cue ?? "", q.kind.rawValue, s.date ?? ""]
            fields += s.scores.values.map { JSONWriter.format(Double($0)) }
            fields += [modelTag, String(line), ""]
            return Array((fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            let text = q.text.count > 48 ? String(q.text.prefix(47)) + "…" : q.text
            let scores = s.scores.values.map { leftPad(JSONWriter.format(Double($0)), 7) }.joined(separator: " ")
            return Array("\(pad(q.speaker ?? "?", 22)) \(pad(q.kind.rawValue, 8)) \(scores)  \(text)\n".utf8)
        }
    }

    func renderError(_ r: ArticleRecord) -> [UInt8] {
        switch outputFormat {
        case .jsonl:
            return JSONWriter.errorLine(line: r.line, idKey: "article", id: r.id, error: r.error ?? "")
        case .csv:
            let fields = [r.id.text] + Array(repeating: "", count: 12) + [modelTag, String(r.line), r.error ?? ""]
            return Array((fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            return Array("line \(r.line): error: \(r.error ?? "")\n".utf8)
        }
    }

    /// The fields an article line may carry.
    static let articleFields = JSONLineScanner(keys: ["text", "id", "date", "title", "source"])

    /// Parses one JSON line into an article record.
    public static func jsonRecord(line: Int, bytes: ArraySlice<UInt8>) -> ArticleRecord {
        var values: [JSONLineScanner.Value?] = []
        var arena: [UInt8] = []
        return jsonRecord(line: line, bytes: bytes, values: &values, arena: &arena)
    }

    /// `jsonRecord(line:bytes:)` with the scanner's buffers kept by the caller from line to line
    /// (a worker's, for its articles): two allocations and frees a record fewer.
    static func jsonRecord(line: Int, bytes: ArraySlice<UInt8>, values: inout [JSONLineScanner.Value?], arena: inout [UInt8]) -> ArticleRecord {
        // Unescaped values never outgrow the line: at most one allocation, not a doubling series.
        arena.removeAll(keepingCapacity: true)
        arena.reserveCapacity(bytes.count)
        let failure = bytes.withUnsafeBufferPointer { articleFields.scan($0, values: &values, arena: &arena) }
        if let failure { return ArticleRecord(line: line, id: .none, text: nil, error: failure.description) }
        func string(_ v: JSONLineScanner.Value?) -> String? {
            if case .string(let r) = v { return String(decoding: arena[r], as: UTF8.self) }
            return nil
        }
        // The fields first, the record made once (setting them one by one on a record copied it).
        let id = RecordID(json: values[1], arena: arena)
        let text: String
        switch MissingText.range(of: values[0]) {
        case .success(let t): text = String(decoding: arena[t], as: UTF8.self)
        case .failure(let why): return ArticleRecord(line: line, id: id, text: nil, error: why.description)
        }
        let date = string(values[2])
        var error: String?
        if let d = values[2], d != .null, date == nil { error = "\"date\" is not a string" }
        return ArticleRecord(line: line, id: id, text: text, date: date, title: string(values[3]), source: string(values[4]), error: error)
    }
}

/// A lock-protected stack of scorer scratches shared by a pipeline's workers.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ExtractionScratch] = []

    /// A scratch no other thread holds (a new one when none is free).
    func take() -> ExtractionScratch {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? ExtractionScratch()
    }

    /// Returns a scratch taken with `take`.
    func give(_ scratch: ExtractionScratch) {
        lock.lock()
        free.append(scratch)
        lock.unlock()
    }
}
