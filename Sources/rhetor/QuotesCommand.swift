import ArgumentParser
import Foundation
import Rhetor

extension ArticleFormat: ExpressibleByArgument {}

struct Quotes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find every quoted statement in articles, who said it, and its scores.",
        discussion: """
        Reads articles from FILEs (or JSON lines on standard input). The format follows the file \
        extension (.jsonl, .csv, .txt) unless --input-format says otherwise. Writes one record per \
        quote, articles in input order and quotes in text order; an article that cannot be read \
        is answered by {"line": N, "article": ..., "error": "..."}. Offsets are Unicode code points \
        into the article's text, quote marks excluded, end exclusive. Exit status: 0 all articles \
        read, 3 some failed, 2 usage or I/O error.
        """
    )

    @Argument(help: "Input files (default: JSON lines on standard input).") var files: [String] = []
    @Option(help: "Input format: jsonl, text or csv (default: from the file extension).") var inputFormat: ArticleFormat?
    @Option(help: "Output format: jsonl, csv or table.") var outputFormat: ScoreOutputFormat = .jsonl
    @Option(help: "Worker threads (default: all cores). Output is identical for every value.") var threads: Int?
    @Option(help: "TSV file of alias<TAB>canonical name, merging speakers.") var aliases: String?
    @Option(help: "Article id for a plain-text input (default: the file name).") var id: String?
    @Option(help: "Date (YYYY-MM-DD) for a plain-text input.") var date: String?
    @Option(help: "Model directory.") var model: String?
    @Option(help: "Lexicon directory.") var lexicons: String?

    func run() throws {
        try runOrExit {
            if let t = threads, t < 1 { throw UsageFailure("--threads must be at least 1") }
            let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
            let lexDir = try lexicons.map { URL(fileURLWithPath: $0) } ?? DataLocator.lexiconDirectory(nil)
            let aliasMap = try aliases.map(AliasFile.load) ?? [:]
            let extractor = QuoteExtractor(lexicon: try AttributionLexicon(directory: lexDir), aliases: aliasMap)
            let pipeline = QuotePipeline(extractor: extractor, model: m, outputFormat: outputFormat,
                                         threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            var inputs: [(FileHandle, ArticleFormat, String)] = []
            for f in files {
                guard let h = FileHandle(forReadingAtPath: f) else { throw UsageFailure("cannot open \(f)") }
                guard let fmt = inputFormat ?? ArticleFormat.from(path: f) else {
                    throw UsageFailure("cannot tell the format of \(f) from its extension; pass --input-format")
                }
                inputs.append((h, fmt, f))
            }
            if inputs.isEmpty { inputs = [(FileHandle.standardInput, inputFormat ?? .jsonl, "stdin")] }
            let out = FileHandle.standardOutput
            if outputFormat == .csv { out.write(Data(QuotePipeline.csvHeader.utf8)) }
            var counts = QuotePipeline.Counts()
            for (h, fmt, path) in inputs {
                try ArticleReader.read(handle: h, format: fmt, path: path, id: id, date: date) { batch in
                    out.write(Data(pipeline.render(batch, counts: &counts)))
                }
            }
            printError("rhetor quotes: \(counts.articles + counts.failed) articles: \(counts.articles) read, \(counts.failed) failed; \(counts.quotes) quotes")
            return counts.failed > 0 ? 3 : 0
        }
    }
}

/// Reads articles in batches from one input.
enum ArticleReader {
    static let batchSize = 256

    static func read(handle: FileHandle, format: ArticleFormat, path: String, id: String?, date: String?, emit: ([ArticleRecord]) -> Void) throws {
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
            guard let textCol = col("text") else { throw UsageFailure("\(path): no 'text' column in the CSV header") }
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
enum AliasFile {
    static func load(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw UsageFailure("cannot read alias file \(path)") }
        var out: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { continue }
            let parts = l.split(separator: "\t")
            guard parts.count == 2 else { throw UsageFailure("\(path):\(n + 1): expected alias<TAB>canonical name") }
            out[String(parts[0])] = String(parts[1])
        }
        return out
    }
}

struct EvalQuotes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-quotes",
        abstract: "Quote precision, quote recall and speaker accuracy on PolNeAR's gold attributions."
    )

    @Option(help: "The PolNeAR directory (default: ../shared/data/attribution/polnear).") var polnear: String?
    @Option(help: "Split: dev or train.") var split: String = "dev"
    @Option(help: "Lexicon directory.") var lexicons: String?

    func run() throws {
        try runOrExit {
            let dir = try polnear.map { URL(fileURLWithPath: $0) }
                ?? DataLocator.dataDirectory(nil).appendingPathComponent("attribution/polnear")
            let lexDir = try lexicons.map { URL(fileURLWithPath: $0) } ?? DataLocator.lexiconDirectory(nil)
            let extractor = QuoteExtractor(lexicon: try AttributionLexicon(directory: lexDir))
            let r = try PolNeAREvaluation.run(extractor: extractor, splitDirectory: dir.appendingPathComponent(split))
            print("PolNeAR \(split): \(r.articles) articles, \(r.gold) gold direct quotes, \(r.predicted) predicted (\(r.fragmentsPredicted) fragments)")
            print(String(format: "quote precision   %.4f  (%d / %d)", r.precision, r.correct, r.predicted))
            print(String(format: "  without fragments %.4f", r.statementPrecision))
            print(String(format: "quote recall      %.4f  (%d / %d)", r.recall, r.found, r.gold))
            print(String(format: "speaker accuracy  %.4f  (%d / %d found quotes with a gold source)", r.speakerAccuracy, r.speakerRight, r.withSource))
            return 0
        }
    }
}
