import Dispatch
import Foundation
import RhetorScoring
import RhetorText

/// Output formats of `rhetor score`.
public enum ScoreOutputFormat: String, Sendable, CaseIterable {
    case jsonl, csv, table
}

/// Options of a scoring run.
public struct ScoreOptions: Sendable {
    public var inputFormat: StatementFormat = .text
    public var outputFormat: ScoreOutputFormat = .jsonl
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var explain = false
    public var textColumn = "text"
    public var idColumn = "id"
    /// Statements longer than this many UTF-8 bytes are reported as errors, not scored.
    public var maxStatementBytes = 1 << 20
    /// Records read before a batch is scored and written (bounds memory).
    public var batchSize = 8192
    /// Stop at the first record that cannot be scored (after writing its error record).
    public var strict = false

    public init() {}
}

/// Counts of a run: every input record is either scored or failed.
public struct ScoreCounts: Sendable, Equatable {
    public init() {}
    /// Input bytes consumed so far (for progress and --stats).
    public var bytes = 0
    /// True when --strict stopped the run early.
    public var stopped = false
    public var scored = 0
    public var failed = 0
    public var records: Int { scored + failed }
}

/// Reads statements, scores them in parallel in fixed blocks, and writes results in input order.
public final class ScorePipeline: Sendable {
    public let scorer: BatchScorer
    public let options: ScoreOptions
    let modelTag: String
    /// The model tag as a JSON string literal, escaped once.
    let modelTagJSON: String

    public init(model: LinearModel, options: ScoreOptions) {
        scorer = BatchScorer(model: model)
        self.options = options
        modelTag = "\(model.manifest.name)@\(model.manifest.version)"
        var w = JSONWriter()
        w.string(modelTag)
        modelTagJSON = String(decoding: w.bytes, as: UTF8.self)
    }

    /// Scores every record from `input`, calling `write` with output bytes batch by batch.
    public func run(input: FileHandle, write: ([UInt8]) -> Void, progress: ((ScoreCounts) -> Void)? = nil) -> ScoreCounts {
        var counts = ScoreCounts()
        if options.outputFormat == .csv {
            write(Array("line,id,hostility,certainty,valence,model,error\n".utf8))
        } else if options.outputFormat == .table {
            write(Array((pad("line", 6) + " " + pad("id", 14) + " hostility certainty  valence  error\n").utf8))
        }
        var batch: [StatementRecord] = []
        /// Scores and writes the batch; false when --strict met an error and the run must stop.
        @discardableResult
        func flush() -> Bool {
            guard !batch.isEmpty, !counts.stopped else { return !counts.stopped }
            for i in batch.indices { validate(&batch[i]) }
            if options.strict, let k = batch.firstIndex(where: { $0.error != nil }) {
                batch.removeSubrange((k + 1)...)
                counts.stopped = true
            }
            write(process(batch, counts: &counts))
            batch.removeAll(keepingCapacity: true)
            progress?(counts)
            return !counts.stopped
        }
        switch options.inputFormat {
        case .text, .jsonl:
            let reader = LineReader(handle: input)
            while let (line, bytes) = reader.next() {
                batch.append(options.inputFormat == .text ? textRecord(line, bytes) : JSONLineParser.record(line: line, bytes: bytes))
                if batch.count >= options.batchSize {
                    counts.bytes = reader.bytesRead
                    if !flush() { return counts }
                }
            }
            counts.bytes = reader.bytesRead
        case .csv:
            var state = CSVParser.State()
            let parser = CSVParser()
            var header: [String]?
            var textIndex = -1
            var idIndex: Int?
            func take(_ r: CSVParser.Record) {
                guard let h = header else {
                    header = r.fields
                    textIndex = r.fields.firstIndex(of: options.textColumn) ?? -1
                    idIndex = r.fields.firstIndex(of: options.idColumn)
                    return
                }
                var rec = StatementRecord(line: r.line, id: .none, text: nil, error: nil)
                if let idIndex, idIndex < r.fields.count { rec.id = .string(r.fields[idIndex]) }
                if textIndex < 0 {
                    rec.error = "no column named \"\(options.textColumn)\" in the header (\(h.joined(separator: ", ")))"
                } else if !r.complete {
                    rec.error = "unterminated quoted field"
                } else if r.fields.count != h.count {
                    rec.error = "expected \(h.count) fields, found \(r.fields.count)"
                } else {
                    rec.text = r.fields[textIndex]
                }
                batch.append(rec)
                if batch.count >= options.batchSize { flush() }
            }
            while !counts.stopped {
                let data = input.readData(ofLength: 1 << 20)
                if data.isEmpty { break }
                counts.bytes += data.count
                let bytes = [UInt8](data)
                bytes.withUnsafeBufferPointer { p in
                    var i = 0
                    while i < p.count { if let r = state.feed(p, &i, parser) { take(r) } }
                }
            }
            if !counts.stopped, let r = state.finish() { take(r) }
        }
        flush()
        return counts
    }

    /// True when the text holds nothing but white space; scans bytes and looks at characters
    /// only when a non-ASCII byte could be Unicode white space.
    static func isBlank(_ t: String) -> Bool {
        var nonASCII = false
        for b in t.utf8 {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: continue
            case 0x80...: nonASCII = true
            default: return false
            }
        }
        return !nonASCII || t.allSatisfy(\.isWhitespace)
    }

    func textRecord(_ line: Int, _ bytes: ArraySlice<UInt8>) -> StatementRecord {
        StatementRecord(line: line, id: .number(String(line)), text: String(decoding: bytes, as: UTF8.self), error: nil)
    }

    /// Scores one batch and renders it; the bytes do not depend on `options.threads`.
    /// Marks a record that cannot be scored: too long, or empty.
    func validate(_ r: inout StatementRecord) {
        guard r.error == nil else { return }
        let t = r.text ?? ""
        if t.utf8.count > options.maxStatementBytes {
            r.error = "text is \(t.utf8.count) bytes, over the limit of \(options.maxStatementBytes)"
        } else if Self.isBlank(t) {
            r.error = "empty text"
        }
    }

    func process(_ records: [StatementRecord], counts: inout ScoreCounts) -> [UInt8] {
        // Records arrive validated by flush().
        let block = BatchScorer.blockSize
        let blocks = (records.count + block - 1) / block
        var rendered = [[UInt8]](repeating: [], count: blocks)
        let threads = max(1, min(options.threads, blocks))
        rendered.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var b = t
                while b < blocks {
                    let lo = b * block, hi = min(records.count, lo + block)
                    out[b] = renderBlock(records[lo..<hi])
                    b += threads
                }
            }
        }
        for r in records { if r.error == nil { counts.scored += 1 } else { counts.failed += 1 } }
        return rendered.flatMap { $0 }
    }

    func renderBlock(_ records: ArraySlice<StatementRecord>) -> [UInt8] {
        let valid = records.filter { $0.error == nil }
        let scores = scorer.score(valid.map { $0.text! })
        var out: [UInt8] = []
        var si = 0
        for r in records {
            if r.error == nil {
                out += render(r, scores[si])
                si += 1
            } else {
                out += renderError(r)
            }
        }
        return out
    }

    func render(_ r: StatementRecord, _ s: Scores) -> [UInt8] {
        let names = scorer.model.outputNames
        switch options.outputFormat {
        case .jsonl:
            var w = JSONWriter()
            w.raw("{")
            w.key("line"); w.raw(String(r.line)); w.raw(",")
            w.id("id", r.id)
            for (i, n) in names.enumerated() { w.raw(","); w.key(n); w.number(Double(s.values[i])) }
            w.raw(","); w.key("model"); w.raw(modelTagJSON)
            if options.explain {
                w.raw(","); w.key("explanation")
                writeExplanation(&w, scorer.model.explain(r.text!))
            }
            w.raw("}\n")
            return w.bytes
        case .csv:
            let fields = [String(r.line), r.id.text] + s.values.map { JSONWriter.format(Double($0)) } + [modelTag, ""]
            return Array((fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            var line = pad(String(r.line), 6) + " " + pad(r.id.text, 14)
            for v in s.values { line += " " + leftPad(JSONWriter.format(Double(v)), 9) }
            if options.explain {
                for e in scorer.model.explain(r.text!) {
                    let top = e.contributions.prefix(3).map { "\($0.label) \(JSONWriter.format(Double($0.contribution), decimals: 2))" }
                    line += "\n       \(e.output): " + top.joined(separator: ", ")
                }
            }
            return Array((line + "\n").utf8)
        }
    }

    func writeExplanation(_ w: inout JSONWriter, _ explanations: [OutputExplanation]) {
        w.raw("{")
        for (i, e) in explanations.enumerated() {
            if i > 0 { w.raw(",") }
            w.key(e.output)
            w.raw("{")
            w.key("logit"); w.number(Double(e.logit), decimals: 6); w.raw(",")
            w.key("bias"); w.number(Double(e.bias), decimals: 6); w.raw(",")
            w.key("contributions"); w.raw("[")
            for (j, c) in e.contributions.enumerated() {
                if j > 0 { w.raw(",") }
                w.raw("{")
                w.key("kind"); w.string(c.kind); w.raw(",")
                w.key("label"); w.string(c.label)
                if let f = c.feature { w.raw(","); w.key("feature"); w.string(f) }
                if let a = c.charStart, let b = c.charEnd {
                    w.raw(","); w.key("start"); w.raw(String(a)); w.raw(","); w.key("end"); w.raw(String(b))
                }
                if !c.rules.isEmpty {
                    w.raw(","); w.key("rules"); w.raw("[")
                    for (k, r) in c.rules.enumerated() { if k > 0 { w.raw(",") }; w.string(r) }
                    w.raw("]")
                }
                w.raw(","); w.key("contribution"); w.number(Double(c.contribution), decimals: 6)
                w.raw("}")
            }
            w.raw("]}")
        }
        w.raw("}")
    }

    func renderError(_ r: StatementRecord) -> [UInt8] {
        switch options.outputFormat {
        case .jsonl:
            return JSONWriter.errorLine(line: r.line, idKey: "id", id: r.id, error: r.error ?? "")
        case .csv:
            let fields = [String(r.line), r.id.text, "", "", "", modelTag, r.error ?? ""]
            return Array((fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            return Array((pad(String(r.line), 6) + " " + pad(r.id.text, 14) + " error: " + (r.error ?? "") + "\n").utf8)
        }
    }
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
public func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

public func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
public func leftPad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
