import Foundation
import RhetorScoring
import RhetorText
import _RhetorKernels

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
///
/// The reading thread only splits lines (text, JSON Lines) or CSV records into one byte arena per
/// batch; parsing JSON, validating, feature extraction, the block `sgemm` and rendering all run on
/// the workers, a fixed block of 256 records at a time, so the output bytes do not depend on the
/// number of threads and nothing is allocated per statement on the hot path.
public final class ScorePipeline: Sendable {
    public let scorer: BatchScorer
    public let options: ScoreOptions
    let modelTag: String
    /// A bound on a JSON score line's bytes besides its id: the punctuation and key names (32),
    /// the line number, the output keys and numbers, the model tag, and what a piece's copy may
    /// write past the line.
    let lineBytesBesidesID: Int
    /// The JSON score line's constant pieces: each output's `,"<output>":`, and the end
    /// `,"model":"<tag>"` (the tag escaped once) with `}` and a newline.
    let linePieces: ScoreLinePieces
    let json = JSONLineScanner(keys: ["text", "id"])
    /// Bytes of input per batch at most (besides `ScoreOptions.batchSize` records), so long
    /// lines still leave only three batches in memory: one being read, one being scored, and
    /// the output of one being written.
    static let batchBytes = 8 << 20

    public init(model: LinearModel, options: ScoreOptions) {
        scorer = BatchScorer(model: model)
        self.options = options
        modelTag = "\(model.manifest.name)@\(model.manifest.version)"
        var w = JSONWriter()
        w.raw(",")
        w.key("model")
        w.string(modelTag)
        let endBeforeBrace = w.bytes.count
        w.raw("}\n")
        let lineEnd = w.bytes
        var keys: [[UInt8]] = []
        for name in model.outputNames {
            var key = JSONWriter()
            key.raw(",")
            key.key(name)
            keys.append(key.bytes)
        }
        linePieces = ScoreLinePieces(keys: keys, end: lineEnd, endBeforeBrace: endBeforeBrace)
        lineBytesBesidesID = 32 + LineCursor.numberBytes + keys.joined().count + keys.count * LineCursor.numberBytes + lineEnd.count
            + ScoreLinePieces.overrun
    }

    /// Records read but not yet processed: raw lines (text, JSON Lines) or extracted statement
    /// texts (CSV) in one arena.
    struct Batch {
        var bytes: ByteArena
        var records: [Entry] = []
        /// The ids and errors the CSV reader found, for the entries whose `csv` points here.
        var csv: [(id: RecordID, error: String?)] = []

        /// A record: a plain value (no reference to count when entries are appended, read or
        /// destroyed; a `RecordID` and an error `String` in every entry cost ~70 instructions a
        /// record of plain text, callgrind, session 26).
        struct Entry {
            var line: Int
            var start: Int
            var count: Int
            /// True when the reader saw only ASCII bytes in the record (valid UTF-8 as it is).
            var ascii = false
            /// The record's slot in `Batch.csv` (CSV input), else -1. JSON ids are read by the
            /// workers. (Session 17 kept every entry's id and error in a parallel array and saw
            /// two threads run 1.35x one thread instead of ~1.9x, for reasons not found; these
            /// slots are only for CSV records.)
            var csv: Int32 = -1
        }

        /// An empty batch with room for `byteCapacity` bytes of records.
        init(byteCapacity: Int = 0) {
            bytes = ByteArena(capacity: byteCapacity)
        }
    }

    /// Scores every record from `input`, calling `write` with output bytes batch by batch.
    public func run(input: FileHandle, write: ([UInt8]) -> Void, progress: ((ScoreCounts) -> Void)? = nil) -> ScoreCounts {
        run(input: input, writeParts: { parts in write(parts.count == 1 ? parts[0] : Array(parts.joined())) }, progress: progress)
    }

    /// Scores every record from `input`, calling `writeParts` with the output batch by batch:
    /// each batch's bytes as the parts its blocks rendered, in order, to be written one after
    /// the other (with `writev`, say), so they are never copied into one array.
    public func run(input: FileHandle, writeParts: ([[UInt8]]) -> Void, progress: ((ScoreCounts) -> Void)? = nil) -> ScoreCounts {
        var counts = ScoreCounts()
        if options.outputFormat == .csv {
            writeParts([Array("line,id,hostility,certainty,valence,model,error\n".utf8)])
        } else if options.outputFormat == .table {
            writeParts([Array((pad("line", 6) + " " + pad("id", 14) + " hostility certainty  valence  error\n").utf8)])
        }
        // One worker per thread for the whole run: their scratch (and word cache) stay warm.
        let workers = (0..<max(1, options.threads)).map { _ in BlockWorker(pipeline: self) }
        // With two or more threads, blocks are scored on threads that live for the run: batch
        // k+1 is read and queued while batch k is scored, and batch k is written after.
        let queue = options.threads > 1 ? BlockQueue<BlockOutput>(workers: workers.count) : nil
        defer { queue?.shutdown() }
        /// Writes a scored batch; false when --strict met an error and the run must stop.
        func deliver(_ rendered: [BlockOutput]) -> Bool {
            writeParts(assemble(rendered, counts: &counts))
            progress?(counts)
            return !counts.stopped
        }
        /// Starts scoring this batch (leaving `batch` empty) and writes the one before it;
        /// false when the run must stop. The batch is passed in, not captured: a captured
        /// variable would pay a dynamic exclusivity check on every line appended to it.
        @discardableResult
        func flush(_ batch: inout Batch) -> Bool {
            guard !batch.records.isEmpty, !counts.stopped else { return !counts.stopped }
            let full = batch
            // Sized like the last one and a quarter, so the next batch seldom grows by doubling
            // (a copy of what it holds).
            batch = Batch(byteCapacity: full.bytes.count + full.bytes.count / 4)
            batch.records.reserveCapacity(full.records.count)
            guard let queue else { return deliver(render(full, worker: workers[0])) }
            let job = BlockQueue<BlockOutput>.Job(blocks: Self.blockCount(full)) { worker, b in
                workers[worker].render(full, Self.blockRange(b, of: full))
            }
            return queue.handOver(job, deliver: deliver)
        }
        switch options.inputFormat {
        case .text, .jsonl:
            let reader = LineReader(handle: input)
            var batch = Batch(byteCapacity: 1 << 20)
            while let full = reader.withNextLine({ line, bytes -> Bool in
                batch.records.append(.init(line: line, start: batch.bytes.count, count: bytes.count, ascii: reader.lastLineIsASCII))
                batch.bytes.append(bytes)
                return batch.records.count >= options.batchSize || batch.bytes.count >= Self.batchBytes
            }) {
                if full {
                    counts.bytes = reader.bytesRead
                    if !flush(&batch) { return counts }
                }
            }
            counts.bytes = reader.bytesRead
            flush(&batch)
        case .csv:
            var batch = Batch(byteCapacity: 1 << 20)
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
                var rec = Batch.Entry(line: r.line, start: batch.bytes.count, count: 0, csv: Int32(batch.csv.count))
                var id = RecordID.none
                var error: String?
                if let idIndex, idIndex < r.fields.count { id = .string(r.fields[idIndex]) }
                if textIndex < 0 {
                    error = "no column named \"\(options.textColumn)\" in the header (\(h.joined(separator: ", ")))"
                } else if !r.complete {
                    error = "unterminated quoted field"
                } else if r.fields.count != h.count {
                    error = "expected \(h.count) fields, found \(r.fields.count)"
                } else {
                    batch.bytes.append(r.fields[textIndex])
                    rec.count = batch.bytes.count - rec.start
                }
                batch.csv.append((id, error))
                batch.records.append(rec)
                if batch.records.count >= options.batchSize || batch.bytes.count >= Self.batchBytes { flush(&batch) }
            }
            CSVParser().records(from: input, chunkRead: { counts.bytes += $0 }) { r in
                take(r)
                return !counts.stopped
            }
            flush(&batch)
        }
        queue?.finish(deliver)
        return counts
    }

    /// True when the bytes hold nothing but white space; looks at characters only when a
    /// non-ASCII byte could be Unicode white space.
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var nonASCII = false
        for b in bytes {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: continue
            case 0x80...: nonASCII = true
            default: return false
            }
        }
        return !nonASCII || String(decoding: bytes, as: UTF8.self).allSatisfy(\.isWhitespace)
    }

    /// The rendered output of one block: bytes, where each record's output ends, and counts.
    struct BlockOutput {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var failedAt: [Bool] = []
    }

    /// Scores and renders a batch block by block on the caller's thread (`--threads 1`; more
    /// threads score blocks on `BlockQueue`'s workers). A block's bytes do not depend on the
    /// worker that made them.
    func render(_ batch: Batch, worker: BlockWorker) -> [BlockOutput] {
        (0..<Self.blockCount(batch)).map { worker.render(batch, Self.blockRange($0, of: batch)) }
    }

    /// The number of `BatchScorer.blockSize` blocks a batch is scored in.
    static func blockCount(_ batch: Batch) -> Int {
        (batch.records.count + BatchScorer.blockSize - 1) / BatchScorer.blockSize
    }

    /// The records of block `b` of a batch.
    static func blockRange(_ b: Int, of batch: Batch) -> Range<Int> {
        let lo = b * BatchScorer.blockSize
        return lo..<min(batch.records.count, lo + BatchScorer.blockSize)
    }

    /// The rendered blocks' bytes in input order, counted; with --strict, up to the first
    /// failed record.
    func assemble(_ rendered: [BlockOutput], counts: inout ScoreCounts) -> [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(rendered.count)
        for r in rendered {
            if options.strict, let k = r.failedAt.firstIndex(of: true) {
                result.append(Array(r.bytes[0..<r.ends[k]]))
                counts.scored += k
                counts.failed += 1
                counts.stopped = true
                return result
            }
            result.append(r.bytes)
            let failed = r.failedAt.reduce(0) { $0 + ($1 ? 1 : 0) }
            counts.failed += failed
            counts.scored += r.failedAt.count - failed
        }
        return result
    }

    /// What rendering needs of one record of a block: where its text is (in the batch's bytes,
    /// for plain text and CSV scored in place, or in the worker's `texts`), its id, its error.
    /// A plain value (the id and error are slots in the worker's `ids` and `errors`), so a
    /// block's plans are cleared and copied without a destroy or retain per record.
    struct RecordPlan {
        var span: Range<Int>
        var inBatch: Bool
        /// `lineID` (the id is the line number: plain text), or an index into `ids`.
        var id: Int32
        /// `noError`, or an index into `errors`.
        var error: Int32

        static let lineID: Int32 = -1
        static let noError: Int32 = -1
        var failed: Bool { error != Self.noError }
    }

    /// One worker thread's reusable state: parsed texts, logits and feature scratch. Only its
    /// thread touches it, so dynamic exclusivity checks are off for its buffers.
    final class BlockWorker {
        let pipeline: ScorePipeline
        let scratch = ExtractionScratch()
        @exclusivity(unchecked) var texts: [UInt8] = []
        /// Per record of the block: where its text is, its id, its error if any.
        @exclusivity(unchecked) var plans: [RecordPlan] = []
        /// The block's ids other than line numbers, and its errors (`RecordPlan`'s slots).
        @exclusivity(unchecked) var ids: [RecordID] = []
        @exclusivity(unchecked) var errors: [String] = []
        /// The indices in `plans` of the records to score.
        @exclusivity(unchecked) var valid: [Int] = []
        @exclusivity(unchecked) var logits: [Float] = []
        /// The block's scores packed for the line writer: `packScores` of `logits`.
        @exclusivity(unchecked) var packed: [ScoreLinePieces.PackedScore] = []
        @exclusivity(unchecked) var values: [JSONLineScanner.Value?] = []

        init(pipeline: ScorePipeline) { self.pipeline = pipeline }

        /// The id of a record planned in this block (`line`: its line number).
        func id(_ plan: RecordPlan, line: Int) -> RecordID {
            plan.id == RecordPlan.lineID ? .integer(line) : ids[Int(plan.id)]
        }

        /// The error of a record planned in this block, if it failed.
        func error(_ plan: RecordPlan) -> String? {
            plan.failed ? errors[Int(plan.error)] : nil
        }

        /// How far ahead of a record `render` asks for batch bytes: ~7 news sentences.
        static let bytesAhead = 1024

        /// Parses, validates, scores and renders records `range` of the batch.
        func render(_ batch: Batch, _ range: Range<Int>) -> BlockOutput {
            let options = pipeline.options
            texts.removeAll(keepingCapacity: true)
            plans.removeAll(keepingCapacity: true)
            valid.removeAll(keepingCapacity: true)
            if !ids.isEmpty { ids.removeAll(keepingCapacity: true) }
            if !errors.isEmpty { errors.removeAll(keepingCapacity: true) }
            let plainText = options.inputFormat == .text
            batch.bytes.withUnsafeBufferPointer { all in
            batch.records.withUnsafeBufferPointer { records in
                for index in range {
                    // The entry's fields are read in place: a copy of the entry (its id and error
                    // strings) cost five retain and release calls per record.
                    let r = records.baseAddress! + index
                    let start = r.pointee.start, end = start + r.pointee.count
                    // A record's first bytes are read first here (its checks), long after they
                    // were copied into the batch. Records lie one after another in the batch, so
                    // the two cache lines `bytesAhead` on are asked for now: a few records later
                    // they are in cache when wanted (perf: the blank check, all waiting, was
                    // 1.7 % of a run's time). Prefetching never faults, past the end or not.
                    if let base = all.baseAddress {
                        Prefetch.read(base + (start &+ Self.bytesAhead))
                        Prefetch.read(base + (start &+ Self.bytesAhead &+ 64))
                    }
                    let raw = UnsafeBufferPointer(rebasing: all[start..<end])
                    // Most records: an ASCII line of plain text (valid UTF-8 as it is) within the
                    // size limit and not blank, scored in place with its line number for id. The
                    // checks below in short, without the optional id and error they carry for
                    // other records (cachegrind, 106k sentences: -0.7 %).
                    if plainText, r.pointee.ascii, raw.count <= options.maxStatementBytes, !ScorePipeline.isBlank(raw) {
                        valid.append(plans.count)
                        plans.append(RecordPlan(span: start..<end, inBatch: true, id: RecordPlan.lineID, error: RecordPlan.noError))
                        continue
                    }
                    var id: RecordID?
                    var error: String?
                    if r.pointee.csv >= 0 {
                        (id, error) = batch.csv[Int(r.pointee.csv)]
                    } else if options.inputFormat == .jsonl {
                        // No id until the JSON gives one (a line that does not parse has none).
                        id = RecordID.none
                    }
                    var span = texts.count..<texts.count
                    // Plain text and CSV texts are scored in place from the batch (the reader
                    // already put just the text there); JSON strings are unescaped into `texts`.
                    var here = false
                    switch options.inputFormat {
                    case .jsonl:
                        if let f = pipeline.json.scan(raw, values: &values, arena: &texts) {
                            error = f.description
                        } else {
                            id = RecordID(json: values[1], arena: texts)
                            switch MissingText.range(of: values[0]) {
                            case .success(let t): span = t
                            case .failure(let why): error = why.description
                            }
                        }
                    case .text:
                        // The text reader sets neither an id nor an error.
                        if r.pointee.ascii || UTF8Validation.isValid(raw) {
                            here = true
                            span = start..<end
                        } else {
                            // Invalid bytes read as U+FFFD, as a String would decode them.
                            let decoded = texts.count
                            texts.append(contentsOf: String(decoding: raw, as: UTF8.self).utf8)
                            span = decoded..<texts.count
                        }
                    case .csv:
                        if error == nil {
                            here = true
                            span = start..<end
                        }
                    }
                    if error == nil {
                        if span.count > options.maxStatementBytes {
                            error = "text is \(span.count) bytes, over the limit of \(options.maxStatementBytes)"
                        } else if here ? ScorePipeline.isBlank(UnsafeBufferPointer(rebasing: all[span]))
                                       : texts.withUnsafeBufferPointer({ ScorePipeline.isBlank(UnsafeBufferPointer(rebasing: $0[span])) }) {
                            error = "empty text"
                        }
                    }
                    if error == nil { valid.append(plans.count) }
                    var plan = RecordPlan(span: span, inBatch: here, id: RecordPlan.lineID, error: RecordPlan.noError)
                    if let id {
                        plan.id = Int32(ids.count)
                        ids.append(id)
                    }
                    if let error {
                        plan.error = Int32(errors.count)
                        errors.append(error)
                    }
                    plans.append(plan)
                }
            }
            }
            let scorer = pipeline.scorer
            texts.withUnsafeBufferPointer { tb in
                batch.bytes.withUnsafeBufferPointer { bb in
                    scorer.logits(count: valid.count, withBytes: { i, body in
                        let plan = plans[valid[i]]
                        body(UnsafeBufferPointer(rebasing: (plan.inBatch ? bb : tb)[plan.span]))
                    }, into: &logits, scratch: scratch)
                }
            }
            var out = BlockOutput()
            let k = scorer.model.weights.outputs
            if options.outputFormat == .jsonl, !options.explain {
                writeJSONLines(batch, range, into: &out, outputs: k)
                return out
            }
            out.ends.reserveCapacity(range.count)
            out.failedAt.reserveCapacity(range.count)
            // A score line is ~100 bytes: room for the block's lines without regrowing.
            out.bytes.reserveCapacity(range.count * 128)
            var v = 0
            // Buffers taken once for the block: the loop then holds no counted references, where
            // a text closure per line retained the batch and this worker.
            texts.withUnsafeBufferPointer { tb in
            batch.bytes.withUnsafeBufferPointer { bb in
            batch.records.withUnsafeBufferPointer { records in
            logits.withUnsafeBufferPointer { lb in
                for j in 0..<range.count {
                    let line = records[range.lowerBound + j].line
                    let plan = plans[j]
                    if let e = error(plan) {
                        pipeline.renderError(line: line, id: id(plan, line: line), error: e, into: &out.bytes)
                        out.failedAt.append(true)
                    } else {
                        pipeline.render(line: line, id: id(plan, line: line), logits: UnsafeBufferPointer(rebasing: lb[(v * k)..<(v * k + k)]),
                                        text: UnsafeBufferPointer(rebasing: (plan.inBatch ? bb : tb)[plan.span]),
                                        into: &out.bytes)
                        v += 1
                        out.failedAt.append(false)
                    }
                    out.ends.append(out.bytes.count)
                }
            }
            }
            }
            }
            return out
        }

        /// Writes the block's JSON score and error lines (no explanations) straight into the
        /// storage of `out.bytes`, sized once from each line's bound: no stack line, closure or
        /// array append per record. Score lines are written by `ScoreLinePieces.writeLine`.
        func writeJSONLines(_ batch: Batch, _ range: Range<Int>, into out: inout BlockOutput, outputs k: Int) {
            let pipeline = self.pipeline
            let count = range.count
            // Error lines (rare) are made first, so the block's bound is known before writing.
            var errorLines: [[UInt8]] = []
            var bound = 0
            out.failedAt = [Bool](repeating: false, count: count)
            // A line whose id is its line number (all of plain-text input's) has one bound, known
            // without making its `RecordID` (a copy of an enum with string payloads).
            let lineIDBound = pipeline.scoreLineBound(for: .integer(0))
            batch.records.withUnsafeBufferPointer { records in
            plans.withUnsafeBufferPointer { plans in
                for j in 0..<count {
                    let plan = plans[j]
                    if !plan.failed && plan.id == RecordPlan.lineID {
                        bound &+= lineIDBound
                        continue
                    }
                    let line = records[range.lowerBound + j].line
                    if let e = error(plan) {
                        let errorLine = JSONWriter.errorLine(line: line, idKey: "id", id: id(plan, line: line), error: e)
                        bound += errorLine.count
                        errorLines.append(errorLine)
                        out.failedAt[j] = true
                    } else {
                        bound += pipeline.scoreLineBound(for: id(plan, line: line))
                    }
                }
            }
            }
            let digits = JSONWriter.digitTables
            // `logits` holds the scored records' logits, `valid.count` of them.
            let scored = valid.count
            if packed.count < scored * k { packed = [ScoreLinePieces.PackedScore](repeating: .init(0, pairs: digits.pairs), count: scored * k) }
            logits.withUnsafeBufferPointer { lb in
                packed.withUnsafeMutableBufferPointer { pb in
                    pipeline.packScores(records: scored, outputs: k, logits: lb.baseAddress!, into: pb.baseAddress!)
                }
            }
            var ends = [Int](repeating: 0, count: count)
            out.bytes = [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
                let base = buffer.baseAddress!
                var position = 0, nextError = 0, v = 0
                batch.records.withUnsafeBufferPointer { records in
                plans.withUnsafeBufferPointer { plans in
                packed.withUnsafeBufferPointer { pb in
                ends.withUnsafeMutableBufferPointer { ends in
                    let pieces = pipeline.linePieces
                    for j in 0..<count {
                        let plan = plans[j]
                        if plan.failed {
                            errorLines[nextError].withUnsafeBufferPointer { (base + position).update(from: $0.baseAddress!, count: $0.count) }
                            position += errorLines[nextError].count
                            nextError += 1
                        } else if plan.id == RecordPlan.lineID {
                            // The id is the line number: the line straight from its pieces, in
                            // the room `lineIDBound` counted for it.
                            position &+= pieces.writeLine(to: base + position, line: records[range.lowerBound + j].line, idIsLine: true,
                                                          digits: digits, writeID: { _ in 0 }, scores: pb.baseAddress! + v * k)
                            v &+= 1
                        } else {
                            let line = records[range.lowerBound + j].line
                            var cursor = LineCursor(base: base + position, capacity: bound - position, digits: digits)
                            pipeline.writeScoreLine(&cursor, line: line, id: id(plans[j], line: line), scores: pb.baseAddress! + v * k, explained: false)
                            precondition(!cursor.overflowed, "the block's capacity is the sum of its lines' bounds")
                            position += cursor.count
                            v += 1
                        }
                        ends[j] = position
                    }
                }
                }
                }
                }
                written = position
            }
            out.ends = ends
        }
    }

    /// Renders one scored record; `text` (its statement's bytes) is read only when explaining.
    func render(line: Int, id: RecordID, logits: UnsafeBufferPointer<Float>, text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        switch options.outputFormat {
        case .jsonl:
            // Built on the stack in one piece, the buffer sized from bounds so it always fits.
            let explain = options.explain
            let fits = withUnsafeTemporaryAllocation(of: ScoreLinePieces.PackedScore.self, capacity: logits.count) { packed in
                packScores(records: 1, outputs: logits.count, logits: logits.baseAddress!, into: packed.baseAddress!)
                return LineCursor.build(capacity: scoreLineBound(for: id), appendingTo: &out) { c in
                    writeScoreLine(&c, line: line, id: id, scores: packed.baseAddress!, explained: explain)
                }
            }
            precondition(fits, "the score line's capacity is a bound on what it holds")
            if explain {
                var w = JSONWriter()
                w.raw(","); w.key("explanation")
                writeExplanation(&w, scorer.model.explain(String(decoding: text, as: UTF8.self)))
                w.raw("}\n")
                out.append(contentsOf: w.bytes)
            }
        case .csv:
            let values = (0..<logits.count).map { JSONWriter.format(Double(scorer.link(logits[$0], output: $0))) }
            let fields = [String(line), id.text] + values + [modelTag, ""]
            out.append(contentsOf: (fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            var row = pad(String(line), 6) + " " + pad(id.text, 14)
            for o in 0..<logits.count { row += " " + leftPad(JSONWriter.format(Double(scorer.link(logits[o], output: o))), 9) }
            if options.explain {
                for e in scorer.model.explain(String(decoding: text, as: UTF8.self)) {
                    let top = e.contributions.prefix(3).map { "\($0.label) \(JSONWriter.format(Double($0.contribution), decimals: 2))" }
                    row += "\n       \(e.output): " + top.joined(separator: ", ")
                }
            }
            out.append(contentsOf: (row + "\n").utf8)
        }
    }

    /// The most bytes `writeScoreLine` writes for a record with this id: the capacity both the
    /// per-record and the per-block writers size for it.
    func scoreLineBound(for id: RecordID) -> Int {
        lineBytesBesidesID + LineCursor.room(for: id)
    }

    /// A JSON score line: line number, id, each output's score and the model tag; the closing
    /// brace and newline too unless an explanation follows (`explained`). The block writer's
    /// line (`ScoreLinePieces.writeLine`) into the cursor's room.
    /// `scores` are the record's `packScores`.
    @inline(__always)
    func writeScoreLine(_ c: inout LineCursor, line: Int, id: RecordID, scores: UnsafePointer<ScoreLinePieces.PackedScore>, explained: Bool) {
        guard c.room(scoreLineBound(for: id)) else { return }
        var idIsLine = false
        if case .integer(let n) = id, n == line { idIsLine = true }
        let digits = c.digits
        c.count += linePieces.writeLine(to: c.base + c.count, line: line, idIsLine: idIsLine, explained: explained, digits: digits, writeID: { p in
            var cursor = LineCursor(base: p, capacity: LineCursor.room(for: id), digits: digits)
            cursor.id(id)
            return cursor.count
        }, scores: scores)
    }

    /// The scores of `records` records from their logits (`outputs` each, record after record),
    /// packed for `writeScoreLine`. One loop for a whole block: each score's link and digits
    /// are independent of the others', so their latencies overlap instead of adding up line
    /// by line.
    @inline(__always)
    func packScores(records: Int, outputs k: Int, logits: UnsafePointer<Float>, into packed: UnsafeMutablePointer<ScoreLinePieces.PackedScore>) {
        let pairs = JSONWriter.digitTables.pairs
        var i = 0
        for _ in 0..<records {
            for o in 0..<k {
                (packed + i).initialize(to: ScoreLinePieces.PackedScore(Double(scorer.link(logits[i], output: o)), pairs: pairs))
                i &+= 1
            }
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

    func renderError(line: Int, id: RecordID, error: String, into out: inout [UInt8]) {
        switch options.outputFormat {
        case .jsonl:
            out.append(contentsOf: JSONWriter.errorLine(line: line, idKey: "id", id: id, error: error))
        case .csv:
            let fields = [String(line), id.text, "", "", "", modelTag, error]
            out.append(contentsOf: (fields.map(csvField).joined(separator: ",") + "\n").utf8)
        case .table:
            out.append(contentsOf: (pad(String(line), 6) + " " + pad(id.text, 14) + " error: " + error + "\n").utf8)
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
