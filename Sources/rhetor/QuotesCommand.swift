import ArgumentParser
import CRhetorSystem
import Foundation
import Rhetor

extension ArticleFormat: ExpressibleByArgument {}

struct Quotes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quotes",
        abstract: "Find every quoted statement in articles, who said it, and its scores.",
        discussion: """
        Reads articles from FILEs (or JSON lines on standard input). The format follows the file \
        extension (.jsonl, .csv, .txt) unless --input-format says otherwise. Writes one record per \
        quote, articles in input order and quotes in text order; an article that cannot be read \
        is answered by {"line": N, "article": ..., "error": "..."}. Offsets are Unicode code points \
        into the article's text, quote marks excluded, end exclusive. Exit status: 0 all articles \
        read, 3 some failed, 2 usage or I/O error, 1 output not written (closed pipe, full disk).
        """
    )

    @Argument(help: "Input files or directories (.jsonl, .csv, .txt files under them, in path order; default: JSON lines on standard input).") var files: [String] = []
    @Option(help: "Input format: jsonl, text or csv (default: from the file extension).") var inputFormat: ArticleFormat?
    @Option(help: "Output format: jsonl, csv or table.") var outputFormat: ScoreOutputFormat = .jsonl
    @Option(help: "Worker threads (default: all cores). Output is identical for every value.") var threads: Int?
    @Option(help: "TSV file of alias<TAB>canonical name, merging speakers.") var aliases: String?
    @Option(help: "Article id for a plain-text input (default: the file name).") var id: String?
    @Option(help: "Date (YYYY-MM-DD) for a plain-text input.") var date: String?
    @Option(help: "Model directory.") var model: String?
    @Option(help: "Lexicon directory.") var lexicons: String?
    @Flag(help: "Print a final summary to stderr: articles, quotes, MB of text, rate.") var stats = false
    @Flag(help: "Stop at the first article that cannot be read (after writing its error record).") var strict = false

    func run() throws {
        try runOrExit {
            if let t = threads, t < 1 { throw UsageFailure("--threads must be at least 1") }
            rhetor_keep_freed_memory()
            let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
            let lexDir = try lexicons.map { URL(fileURLWithPath: $0) } ?? DataLocator.lexiconDirectory(nil)
            let clock = ContinuousClock()
            let started = clock.now
            let progress = Progress(enabled: isatty(2) == 1)
            let aliasMap = try aliases.map(AliasFile.load) ?? [:]
            let extractor = QuoteExtractor(lexicon: try AttributionLexicon(directory: lexDir), aliases: aliasMap)
            let pipeline = QuotePipeline(extractor: extractor, model: m, outputFormat: outputFormat,
                                         threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, strict: strict)
            var inputs: [(FileHandle, ArticleFormat, String)] = []
            for f in try InputPaths.expand(files, keep: { ArticleFormat.from(path: $0) != nil }) {
                guard let h = FileHandle(forReadingAtPath: f) else { throw UsageFailure("cannot open \(f)") }
                guard let fmt = inputFormat ?? ArticleFormat.from(path: f) else {
                    throw UsageFailure("cannot tell the format of \(f) from its extension; pass --input-format")
                }
                inputs.append((h, fmt, f))
            }
            if inputs.isEmpty { inputs = [(FileHandle.standardInput, inputFormat ?? .jsonl, "stdin")] }
            if outputFormat == .csv { writeStandardOutput(Array(QuotePipeline.csvHeader.utf8)) }
            var counts = QuotePipeline.Counts()
            // With two or more threads, batch k+1 is read and queued while batch k is
            // processed, and batch k is written after.
            let runner = QuoteBatchRunner(pipeline: pipeline) { bytes, batchCounts in
                writeStandardOutput(bytes)
                counts.add(batchCounts)
                progress.show(records: counts.articles + counts.failed, bytes: counts.textBytes, since: started)
                return !counts.stopped
            }
            for (h, fmt, path) in inputs {
                try ArticleReader.read(handle: h, format: fmt, path: path, id: id, date: date, deferJSON: true) { batch in
                    runner.add(batch)
                }
                runner.finish()
                if counts.stopped { break }
            }
            progress.clear()
            if stats {
                let d = (clock.now - started).components
                let seconds = max(1e-9, Double(d.seconds) + Double(d.attoseconds) / 1e18)
                printError(String(format: "rhetor quotes: %.1f MB of text in %.2f s: %.2f MB/s, %.0f articles/s, %d quotes", Double(counts.textBytes) / 1e6, seconds, Double(counts.textBytes) / 1e6 / seconds, Double(counts.articles) / seconds, counts.quotes))
            }
            printError("rhetor quotes: \(counts.articles + counts.failed) articles: \(counts.articles) read, \(counts.failed) failed; \(counts.quotes) quotes\(counts.stopped ? " (stopped at the first error: --strict)" : "")")
            return counts.failed > 0 ? 3 : 0
        }
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
