import Foundation
import RhetorText

/// An input problem found before any work (a missing column, an unreadable file).
public struct InputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

/// Reads articles in batches from one input.
public enum ArticleReader {
    /// Articles per batch at most for `rhetor quotes`: large enough that the workers' idle tail
    /// at the end of a batch (one long article still running) is a small share.
    public static let batchSize = 1024
    /// Articles per batch for `rhetor ingest`, one database transaction each.
    public static let ingestBatchSize = 256
    /// Bytes of article input per batch at most, so a file of huge articles still keeps only a
    /// few batches in memory (one being read, one being processed, the output of one being
    /// written).
    public static let batchBytes = 8 << 20

    /// Reads `handle` and hands out batches of articles; `emit` returns false to stop reading.
    /// With `deferJSON`, JSON lines are handed out unparsed (`ArticleRecord.raw`) for
    /// `QuotePipeline.render` to parse on its worker threads.
    public static func read(handle: FileHandle, format: ArticleFormat, path: String, id: String?, date: String?, deferJSON: Bool = false,
                            batchSize: Int = ArticleReader.batchSize, emit: ([ArticleRecord]) -> Bool) throws {
        switch format {
        case .text:
            let data = handle.readDataToEndOfFile()
            let articleID = id ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let text = String(data: data, encoding: .utf8) else {
                _ = emit([ArticleRecord(line: 1, id: .string(articleID), text: nil, error: "invalid UTF-8")])
                return
            }
            _ = emit([ArticleRecord(line: 1, id: .string(articleID), text: text, date: date, error: text.isEmpty ? "empty text" : nil)])
        case .jsonl:
            let reader = LineReader(handle: handle)
            var batch: [ArticleRecord] = []
            var held = 0
            // Each line read in place from the reader's buffer: `next()` copies it into a new
            // slice, which a deferred record then copied again.
            while let full = reader.withNextLine({ line, bytes -> Bool in
                held += bytes.count
                if deferJSON {
                    batch.append(ArticleRecord(line: line, id: .none, text: nil, raw: Array(bytes)))
                } else {
                    batch.append(QuotePipeline.jsonRecord(line: line, bytes: ArraySlice(bytes)))
                }
                return batch.count >= batchSize || held >= batchBytes
            }) {
                if full {
                    guard emit(batch) else { return }
                    batch.removeAll(keepingCapacity: true)
                    held = 0
                }
            }
            if !batch.isEmpty { _ = emit(batch) }
        case .csv:
            // Streamed in 1 MiB chunks: memory holds one chunk, one batch and the longest record.
            var header: [String]?
            var batch: [ArticleRecord] = []
            var columns: (text: Int, id: Int?, date: Int?, title: Int?, source: Int?) = (-1, nil, nil, nil, nil)
            var stopped = false
            var held = 0
            func take(_ r: CSVParser.Record) throws {
                guard let h = header else {
                    header = r.fields
                    func col(_ n: String) -> Int? { r.fields.firstIndex(of: n) }
                    guard let t = col("text") else { throw InputError("\(path): no 'text' column in the CSV header") }
                    columns = (t, col("id"), col("date"), col("title"), col("source"))
                    return
                }
                var a = ArticleRecord(line: r.line, id: columns.id.flatMap { $0 < r.fields.count ? .string(r.fields[$0]) : nil } ?? .number(String(r.line)), text: nil)
                if !r.complete { a.error = "unterminated quoted field" } else if r.fields.count != h.count {
                    a.error = "expected \(h.count) fields, found \(r.fields.count)"
                } else {
                    a.text = r.fields[columns.text]
                    a.date = columns.date.map { r.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                    a.title = columns.title.map { r.fields[$0] }
                    a.source = columns.source.map { r.fields[$0] }
                }
                batch.append(a)
                held += a.text?.utf8.count ?? 0
                if batch.count >= batchSize || held >= batchBytes {
                    stopped = !emit(batch)
                    batch.removeAll(keepingCapacity: true)
                    held = 0
                }
            }
            try CSVParser().records(from: handle) { r in
                try take(r)
                return !stopped
            }
            if !stopped, !batch.isEmpty { _ = emit(batch) }
        }
    }
}

/// Reads a user alias file: `alias<TAB>canonical name` per line, `#` comments allowed.
public enum AliasFile {
    public static func load(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw InputError("cannot read alias file \(path)") }
        var out: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { continue }
            let parts = l.split(separator: "\t")
            guard parts.count == 2 else { throw InputError("\(path):\(n + 1): expected alias<TAB>canonical name") }
            out[String(parts[0])] = String(parts[1])
        }
        return out
    }
}

