import Foundation
import RhetorText

/// An input problem found before any work (a missing column, an unreadable file).
public struct InputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

/// Reads articles in batches from one input.
public enum ArticleReader {
    public static let batchSize = 256

    public static func read(handle: FileHandle, format: ArticleFormat, path: String, id: String?, date: String?, emit: ([ArticleRecord]) -> Void) throws {
        switch format {
        case .text:
            let data = handle.readDataToEndOfFile()
            let articleID = id ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let text = String(data: data, encoding: .utf8) else {
                emit([ArticleRecord(line: 1, id: .string(articleID), text: nil, error: "invalid UTF-8")])
                return
            }
            emit([ArticleRecord(line: 1, id: .string(articleID), text: text, date: date, error: text.isEmpty ? "empty text" : nil)])
        case .jsonl:
            let reader = LineReader(handle: handle)
            var batch: [ArticleRecord] = []
            while let (line, bytes) = reader.next() {
                batch.append(QuotePipeline.jsonRecord(line: line, bytes: bytes))
                if batch.count >= batchSize { emit(batch); batch.removeAll(keepingCapacity: true) }
            }
            if !batch.isEmpty { emit(batch) }
        case .csv:
            let records = CSVParser().parse([UInt8](handle.readDataToEndOfFile()))
            guard let header = records.first?.fields else { return }
            func col(_ n: String) -> Int? { header.firstIndex(of: n) }
            guard let textCol = col("text") else { throw InputError("\(path): no 'text' column in the CSV header") }
            var batch: [ArticleRecord] = []
            for r in records.dropFirst() {
                var a = ArticleRecord(line: r.line, id: col("id").flatMap { $0 < r.fields.count ? .string(r.fields[$0]) : nil } ?? .number(String(r.line)), text: nil)
                if !r.complete { a.error = "unterminated quoted field" } else if r.fields.count != header.count {
                    a.error = "expected \(header.count) fields, found \(r.fields.count)"
                } else {
                    a.text = r.fields[textCol]
                    a.date = col("date").map { r.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                    a.title = col("title").map { r.fields[$0] }
                    a.source = col("source").map { r.fields[$0] }
                }
                batch.append(a)
                if batch.count >= batchSize { emit(batch); batch.removeAll(keepingCapacity: true) }
            }
            if !batch.isEmpty { emit(batch) }
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

