import ArgumentParser
import Foundation
import Rhetor

extension Period: ExpressibleByArgument {}
extension Metric: ExpressibleByArgument {}

/// Output formats of the store queries.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, jsonl
}

/// The `--db` option shared by the store commands.
struct DatabaseOption: ParsableArguments {
    @Option(help: "SQLite database (created on first use).") var db: String = "rhetor.sqlite"

    func open() throws -> TimelineStore {
        do { return try TimelineStore(path: db) } catch { throw UsageFailure("cannot open database \(db): \(error)") }
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Run articles through quotes and scoring and store the result (idempotent).",
        discussion: """
        Inputs as for `rhetor quotes` (format from the file extension). Ingesting the same articles \
        again changes nothing; an article whose content changed replaces its old quotes. Work is \
        committed in transactions of 256 articles, so a killed ingest leaves a consistent database \
        and a rerun completes it. Articles stored by another model version are reported and kept \
        unless --rescore. Exit status: 0 all read, 3 some records failed, 2 usage or I/O errors.
        """
    )

    @OptionGroup var database: DatabaseOption
    @Argument(help: "Input files or directories (.jsonl, .csv, .txt files under them, in path order; default: JSON lines on standard input).") var files: [String] = []
    @Option(help: "Input format: jsonl, text or csv (default: from the file extension).") var inputFormat: ArticleFormat?
    @Option(help: "TSV file of alias<TAB>canonical name, added to the database's alias table.") var aliases: String?
    @Flag(help: "Re-score articles stored by another model version.") var rescore = false
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Model directory.") var model: String?
    @Option(help: "Lexicon directory.") var lexicons: String?

    func run() throws {
        try runOrExit {
            let store = try database.open()
            let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
            let lexDir = try lexicons.map { URL(fileURLWithPath: $0) } ?? DataLocator.lexiconDirectory(nil)
            if let aliases { for (a, n) in try AliasFile.load(aliases).sorted(by: { $0.key < $1.key }) { try store.addAlias(a, name: n) } }
            let extractor = QuoteExtractor(lexicon: try AttributionLexicon(directory: lexDir))
            let pipeline = QuotePipeline(extractor: extractor, model: m, outputFormat: .jsonl, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let ingestor = Ingestor(store: store, pipeline: pipeline, rescore: rescore)
            var inputs: [(FileHandle, ArticleFormat, String)] = []
            for f in try InputPaths.expand(files, keep: { ArticleFormat.from(path: $0) != nil }) {
                guard let h = FileHandle(forReadingAtPath: f) else { throw UsageFailure("cannot open \(f)") }
                guard let fmt = inputFormat ?? ArticleFormat.from(path: f) else { throw UsageFailure("cannot tell the format of \(f); pass --input-format") }
                inputs.append((h, fmt, f))
            }
            if inputs.isEmpty { inputs = [(FileHandle.standardInput, inputFormat ?? .jsonl, "stdin")] }
            var counts = Ingestor.Counts()
            var failure: Error?
            let progress = Progress(enabled: isatty(2) == 1)
            let started = ContinuousClock().now
            var textBytes = 0
            for (h, fmt, path) in inputs {
                try ArticleReader.read(handle: h, format: fmt, path: path, id: nil, date: nil, batchSize: ArticleReader.ingestBatchSize) { batch in
                    guard failure == nil else { return false }
                    do { try ingestor.ingest(batch, counts: &counts) { printError("rhetor ingest: \(path): \($0)") } } catch { failure = error }
                    textBytes += batch.reduce(0) { $0 + ($1.text?.utf8.count ?? 0) }
                    progress.show(records: counts.records, bytes: textBytes, since: started)
                    return failure == nil
                }
            }
            progress.clear()
            if let failure { throw UsageFailure("database error: \(failure)") }
            printError("rhetor ingest: \(counts.records) articles: \(counts.inserted) inserted, \(counts.replaced) replaced, \(counts.unchanged) unchanged, \(counts.stale) scored by another model, \(counts.failed) failed; \(counts.quotes) quotes stored")
            if counts.stale > 0 { printError("rhetor ingest: \(counts.stale) articles were scored by another model version; rerun with --rescore to update them to \(ingestor.modelVersion)") }
            return counts.failed > 0 ? 3 : 0
        }
    }
}

struct Alias: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alias", abstract: "Merge speakers: map an alias to a canonical name.", subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Map ALIAS (case-insensitive) to NAME.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The name as quotes carry it.") var alias: String
        @Argument(help: "The canonical name.") var name: String
        func run() throws {
            try runOrExit {
                try database.open().addAlias(alias, name: name)
                return 0
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List aliases.")
        @OptionGroup var database: DatabaseOption
        func run() throws {
            try runOrExit {
                for (a, n) in try database.open().aliases() { print("\(a)\t\(n)") }
                return 0
            }
        }
    }
}

struct Speakers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "speakers", abstract: "List speakers with quote and article counts and first and last dates.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "table, csv or jsonl.") var format: TableFormat = .table

    func run() throws {
        try runOrExit {
            let rows = try database.open().speakers()
            switch format {
            case .csv:
                print("speaker,quotes,articles,first,last")
                for r in rows { print([r.speaker, String(r.quotes), String(r.articles), r.first ?? "", r.last ?? ""].map(csvField).joined(separator: ",")) }
            case .jsonl:
                for r in rows {
                    var w = JSONWriter()
                    w.raw("{"); w.key("speaker"); w.string(r.speaker); w.raw(","); w.key("quotes"); w.raw(String(r.quotes)); w.raw(",")
                    w.key("articles"); w.raw(String(r.articles)); w.raw(","); w.key("first"); r.first.map { w.string($0) } ?? w.raw("null"); w.raw(",")
                    w.key("last"); r.last.map { w.string($0) } ?? w.raw("null"); w.raw("}")
                    print(String(decoding: w.bytes, as: UTF8.self))
                }
            case .table:
                print("\(pad("speaker", 32)) \(leftPad("quotes", 7)) \(leftPad("articles", 8))  first       last")
                for r in rows { print("\(pad(r.speaker, 32)) \(leftPad(String(r.quotes), 7)) \(leftPad(String(r.articles), 8))  \(r.first ?? "-")  \(r.last ?? "-")") }
            }
            return 0
        }
    }
}

/// Options shared by timeline and compare for choosing quotes.
struct QuoteFilter: ParsableArguments {
    @Flag(help: "Leave out fragments (one- and two-word scare quotes).") var excludeFragments = false
}

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Per speaker and period: n, mean and a 95 % confidence interval of a score.",
        discussion: "Intervals are Student t intervals on the (Kish effective) number of quotes; with --weight length each quote weighs its length in characters. Periods come from the articles' plain dates; weeks start on Monday."
    )
    @OptionGroup var database: DatabaseOption
    @Option(help: "Speaker (canonical name or alias); repeat for several.") var speaker: [String]
    @Option(help: "day, week, month, quarter or year.") var by: Period = .month
    @Option(help: "hostility, certainty or valence.") var metric: Metric = .hostility
    @Option(help: "Merge each period with the previous K-1 (rolling window).") var rolling: Int = 1
    @Option(help: "Leave out points with fewer quotes.") var minN: Int = 1
    @Option(help: "Weighting: none or length.") var weight: String = "none"
    @OptionGroup var filter: QuoteFilter
    @Option(help: "table, csv or jsonl.") var format: TableFormat = .table
    @Option(help: "Also write a self-contained HTML report with charts for every metric.") var html: String?

    func run() throws {
        try runOrExit {
            guard !speaker.isEmpty else { throw UsageFailure("name at least one --speaker") }
            guard weight == "none" || weight == "length" else { throw UsageFailure("--weight is none or length") }
            guard rolling >= 1, minN >= 1 else { throw UsageFailure("--rolling and --min-n must be at least 1") }
            let store = try database.open()
            let (quotes, undated) = try store.quotes(speakers: speaker, excludeFragments: filter.excludeFragments)
            // The requested speakers, in the order given, under the names the store shows.
            let shownByKey = Dictionary(quotes.map { ($0.speaker.lowercased(), $0.speaker) }, uniquingKeysWith: { a, _ in a })
            let names = try speaker.map { let r = try store.resolve($0); return shownByKey[r.lowercased()] ?? r }
            if undated > 0 { printError("rhetor timeline: \(undated) quotes without a valid date left out") }
            let speakersFound = Set(quotes.map(\.speaker))
            for (given, name) in zip(speaker, names) where !speakersFound.contains(where: { $0.lowercased() == name.lowercased() }) {
                printError("rhetor timeline: no dated quotes for '\(given)' (see `rhetor speakers`)")
            }
            func points(_ m: Metric) -> [TimelinePoint] {
                var agg = TimelineAggregate(period: by, weightByLength: weight == "length")
                agg.add(quotes.map { Observation(speaker: $0.speaker, date: $0.date, value: $0.value(m), length: $0.text.count) })
                return agg.points(rolling: rolling, minN: minN, order: names)
            }
            let main = points(metric)
            switch format {
            case .csv:
                print("speaker,period,start,n,mean,ciLow,ciHigh,metric,ciMethod")
                for p in main {
                    print([p.speaker, p.period, p.start.description, String(p.n), JSONWriter.format(p.mean), p.ci(for: metric).map { JSONWriter.format($0.low) } ?? "",
                           p.ci(for: metric).map { JSONWriter.format($0.high) } ?? "", metric.rawValue, "t"].map(csvField).joined(separator: ","))
                }
            case .jsonl:
                for p in main {
                    var w = JSONWriter()
                    w.raw("{"); w.key("speaker"); w.string(p.speaker); w.raw(","); w.key("period"); w.string(p.period); w.raw(",")
                    w.key("start"); w.string(p.start.description); w.raw(","); w.key("n"); w.raw(String(p.n)); w.raw(",")
                    w.key("mean"); w.number(p.mean); w.raw(",")
                    w.key("ciLow"); p.ci(for: metric).map { w.number($0.low) } ?? w.raw("null"); w.raw(",")
                    w.key("ciHigh"); p.ci(for: metric).map { w.number($0.high) } ?? w.raw("null"); w.raw(",")
                    w.key("metric"); w.string(metric.rawValue); w.raw(","); w.key("ciMethod"); w.string("t"); w.raw("}")
                    print(String(decoding: w.bytes, as: UTF8.self))
                }
            case .table:
                print("\(pad("speaker", 24)) \(pad("period", 10)) \(leftPad("n", 6)) \(leftPad("mean", 8)) \(leftPad("ciLow", 8)) \(leftPad("ciHigh", 8))")
                for p in main {
                    print("\(pad(p.speaker, 24)) \(pad(p.period, 10)) \(leftPad(String(p.n), 6)) \(leftPad(JSONWriter.format(p.mean), 8)) \(leftPad(p.ci(for: metric).map { JSONWriter.format($0.low) } ?? "-", 8)) \(leftPad(p.ci(for: metric).map { JSONWriter.format($0.high) } ?? "-", 8))")
                }
            }
            if let html {
                let charts = Metric.allCases.map { ($0, points($0)) }
                let order = names.filter { n in speakersFound.contains(n) } + speakersFound.subtracting(names).sorted()
                let page = HTMLReport.timeline(
                    title: "\(order.joined(separator: " vs ")): tone by \(by.rawValue)",
                    command: "rhetor " + CommandLine.arguments.dropFirst().joined(separator: " "),
                    speakers: order, period: by, charts: charts, quotes: quotes,
                    ciMethod: "Means per \(by.rawValue) with 95 % Student t intervals\(weight == "length" ? " (quotes weighted by length)" : "")\(rolling > 1 ? ", rolling over \(rolling) periods" : "")\(filter.excludeFragments ? ", fragments left out" : "")\(minN > 1 ? ", periods with n < \(minN) left out" : "").")
                do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch { throw UsageFailure("cannot write \(html): \(error.localizedDescription)") }
                printError("rhetor timeline: wrote \(html)")
            }
            return 0
        }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two speakers (or one speaker in two date ranges) on a score.",
        discussion: "Reports the difference of means with a Welch t 95 % interval, a two-sided permutation-test p-value (10,000 permutations, fixed seed) and Cohen's d."
    )
    @OptionGroup var database: DatabaseOption
    @Option(help: "Speaker; give two, or one with two --range.") var speaker: [String]
    @Option(help: "Date range FROM..TO (YYYY-MM-DD, either end may be empty); give two with one speaker.") var range: [String] = []
    @Option(help: "hostility, certainty or valence.") var metric: Metric = .hostility
    @OptionGroup var filter: QuoteFilter
    @Option(help: "Permutations for the p-value.") var permutations: Int = 10_000
    @Option(help: "table or json.") var format: String = "table"
    @Option(help: "Also write a self-contained HTML report.") var html: String?

    func parseRange(_ r: String) throws -> (PlainDate?, PlainDate?) {
        let parts = r.components(separatedBy: "..")
        guard parts.count == 2 else { throw UsageFailure("--range '\(r)' is not FROM..TO") }
        func d(_ s: String) throws -> PlainDate? {
            if s.isEmpty { return nil }
            guard let v = PlainDate(s) else { throw UsageFailure("'\(s)' in --range is not YYYY-MM-DD") }
            return v
        }
        return (try d(parts[0]), try d(parts[1]))
    }

    func run() throws {
        try runOrExit {
            guard format == "table" || format == "json" else { throw UsageFailure("--format is table or json") }
            let store = try database.open()
            var sides: [(String, [Double])] = []
            if speaker.count == 2 && range.count <= 1 {
                let r = try range.first.map(parseRange) ?? (nil, nil)
                for s in speaker {
                    let q = try store.quotes(speakers: [s], excludeFragments: filter.excludeFragments, from: r.0, to: r.1).quotes
                    sides.append((try q.first?.speaker ?? store.resolve(s), q.map { $0.value(metric) }))
                }
            } else if speaker.count == 1 && range.count == 2 {
                for r in range {
                    let (from, to) = try parseRange(r)
                    let q = try store.quotes(speakers: speaker, excludeFragments: filter.excludeFragments, from: from, to: to).quotes
                    sides.append(("\(try q.first?.speaker ?? store.resolve(speaker[0])) \(r)", q.map { $0.value(metric) }))
                }
            } else {
                throw UsageFailure("give two --speaker, or one --speaker with two --range")
            }
            guard let c = Comparison.of(sides[0].1, sides[1].1, labels: (sides[0].0, sides[1].0), permutations: permutations) else {
                throw UsageFailure("each side needs at least 2 dated quotes (found \(sides[0].1.count) and \(sides[1].1.count))")
            }
            func ci(_ v: [Double]) -> (Double, Double)? {
                var m = Moments()
                for x in v { m.add(x) }
                return m.confidenceInterval().map { ($0.low, $0.high) }
            }
            if format == "json" {
                var w = JSONWriter()
                func side(_ s: Comparison.Side) {
                    w.raw("{"); w.key("label"); w.string(s.label); w.raw(","); w.key("n"); w.raw(String(s.n)); w.raw(",")
                    w.key("mean"); w.number(s.mean, decimals: 6); w.raw(","); w.key("sd"); w.number(s.sd, decimals: 6); w.raw("}")
                }
                w.raw("{"); w.key("metric"); w.string(metric.rawValue); w.raw(",")
                w.key("a"); side(c.a); w.raw(","); w.key("b"); side(c.b); w.raw(",")
                w.key("difference"); w.number(c.difference, decimals: 6); w.raw(",")
                w.key("ciLow"); w.number(c.ciLow, decimals: 6); w.raw(","); w.key("ciHigh"); w.number(c.ciHigh, decimals: 6); w.raw(",")
                w.key("ciMethod"); w.string("Welch t"); w.raw(",")
                w.key("pValue"); w.number(c.pValue, decimals: 6); w.raw(","); w.key("permutations"); w.raw(String(c.permutations)); w.raw(",")
                w.key("effectSize"); w.number(c.effectSize, decimals: 6); w.raw(","); w.key("effectSizeMethod"); w.string("Cohen's d, pooled SD"); w.raw("}")
                print(String(decoding: w.bytes, as: UTF8.self))
            } else {
                print("\(metric.rawValue): \(c.a.label) vs \(c.b.label)")
                for s in [c.a, c.b] { print("  \(pad(s.label, 40)) n = \(s.n), mean = \(JSONWriter.format(s.mean)), sd = \(JSONWriter.format(s.sd))") }
                print("  difference of means  \(JSONWriter.format(c.difference))  95 % CI \(JSONWriter.format(c.ciLow)) .. \(JSONWriter.format(c.ciHigh)) (Welch t)")
                print("  permutation p-value  \(JSONWriter.format(c.pValue)) (two-sided, \(c.permutations) permutations)")
                print("  effect size          \(JSONWriter.format(c.effectSize)) (Cohen's d)")
            }
            if let html {
                let page = HTMLReport.comparison(title: "\(c.a.label) vs \(c.b.label): \(metric.rawValue)",
                                                 command: "rhetor " + CommandLine.arguments.dropFirst().joined(separator: " "),
                                                 metric: metric, c: c, sideCI: [ci(sides[0].1), ci(sides[1].1)])
                do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch { throw UsageFailure("cannot write \(html): \(error.localizedDescription)") }
                printError("rhetor compare: wrote \(html)")
            }
            return 0
        }
    }
}
