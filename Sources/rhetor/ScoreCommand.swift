import ArgumentParser
import CRhetorSystem
import Foundation
import Rhetor

extension StatementFormat: ExpressibleByArgument {}
extension ScoreOutputFormat: ExpressibleByArgument {}

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score statements for hostility, certainty and valence.",
        discussion: """
        Reads statements from FILEs (or standard input): one per line (text), JSON lines with `id` \
        and `text` (jsonl), or CSV with a header (csv). Writes one output record per input record, \
        in input order: scores, or {"line": N, "id": ..., "error": "..."} for a record that cannot \
        be scored. Exit status: 0 all scored, 3 some failed, 2 usage or I/O error before any work, \
        1 output not written (closed pipe, full disk).
        """
    )

    @Argument(help: "Input files or directories (every file under them, in path order; default: standard input).") var files: [String] = []
    @Option(help: "Input format: text, jsonl or csv.") var inputFormat: StatementFormat = .text
    @Option(help: "Output format: jsonl, csv or table.") var outputFormat: ScoreOutputFormat = .jsonl
    @Option(help: "CSV column holding the statement.") var textColumn: String = "text"
    @Option(help: "CSV column holding the record id.") var idColumn: String = "id"
    @Option(help: "Worker threads (default: all cores). Output is identical for every value.") var threads: Int?
    @Flag(help: "Add the terms and rules behind each score, with character offsets and contributions.") var explain = false
    @Flag(help: "Stop at the first record that cannot be scored (after writing its error record).") var strict = false
    @Flag(help: "Print a final summary to stderr: records, errors, MB, rate.") var stats = false
    @Option(help: "Model directory (default: $RHETOR_MODEL, else models/rhetor-news).") var model: String?
    @Option(help: "Lexicon directory (default: $RHETOR_LEXICONS, else lexicons/ beside models/).") var lexicons: String?

    func run() throws {
        try runOrExit {
            if let t = threads, t < 1 { throw UsageFailure("--threads must be at least 1") }
            rhetor_keep_freed_memory()
            let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
            var handles: [FileHandle] = []
            let files = try InputPaths.expand(self.files)
            for f in files {
                guard let h = FileHandle(forReadingAtPath: f) else { throw UsageFailure("cannot open \(f)") }
                handles.append(h)
            }
            if handles.isEmpty { handles = [FileHandle.standardInput] }
            var options = ScoreOptions()
            options.inputFormat = inputFormat
            options.outputFormat = outputFormat
            options.textColumn = textColumn
            options.idColumn = idColumn
            options.explain = explain
            if let threads { options.threads = threads }
            options.strict = strict
            let pipeline = ScorePipeline(model: m, options: options)
            var total = ScoreCounts()
            let clock = ContinuousClock()
            let started = clock.now
            let progress = Progress(enabled: isatty(2) == 1, totalBytes: Progress.size(of: files))
            for h in handles {
                let before = total
                let c = pipeline.run(input: h, writeParts: { writeStandardOutput(parts: $0) }, progress: { c in
                    progress.show(records: before.records + c.records, bytes: before.bytes + c.bytes, since: started)
                })
                total.scored += c.scored
                total.failed += c.failed
                total.bytes += c.bytes
                if c.stopped { total.stopped = true; break }
            }
            progress.clear()
            printError("rhetor score: \(total.records) records: \(total.scored) scored, \(total.failed) failed\(total.stopped ? " (stopped at the first error: --strict)" : "")")
            if stats {
                let seconds = Double((clock.now - started).components.attoseconds) / 1e18 + Double((clock.now - started).components.seconds)
                printError(String(format: "rhetor score: %.1f MB in %.2f s: %.1f MB/s, %.0f records/s", Double(total.bytes) / 1e6, seconds, Double(total.bytes) / 1e6 / max(seconds, 1e-9), Double(total.records) / max(seconds, 1e-9)))
            }
            return total.failed > 0 ? 3 : 0
        }
    }
}

struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lexicon", abstract: "Lexicon tools.", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check lexicon files strictly; report path:line: problem.")
        @Argument(help: "Lexicon files or a directory (default: lexicons/).") var paths: [String] = []

        func run() throws {
            try runOrExit {
                var targets = paths
                if targets.isEmpty { targets = [try DataLocator.lexiconDirectory(nil).path] }
                var failures = 0
                for p in targets {
                    var isDir: ObjCBool = false
                    FileManager.default.fileExists(atPath: p, isDirectory: &isDir)
                    if isDir.boolValue {
                        do {
                            let set = try LexiconSet(directory: URL(fileURLWithPath: p))
                            for (name, f) in set.files.sorted(by: { $0.key < $1.key }) {
                                print("ok  \(name) \(f.version) sha256:\(f.sha256)")
                            }
                            print("ok  \(p): \(set.terms.count) terms, longest phrase \(set.phraseMaxTokens) tokens")
                        } catch {
                            print("\(error)")
                            failures += 1
                        }
                    } else {
                        do {
                            let f = try LexiconFile(contentsOf: URL(fileURLWithPath: p))
                            print("ok  \(p): \(f.name) \(f.version), \(f.rows.count) entries")
                        } catch {
                            print("\(error)")
                            failures += 1
                        }
                    }
                }
                return failures > 0 ? 1 : 0
            }
        }
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Model tools.", subcommands: [Dump.self])

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dump", abstract: "Print a model as text: manifest, then dense and hashed weights with feature names where known.")
        @Option(help: "Model directory.") var model: String?
        @Option(help: "Lexicon directory.") var lexicons: String?
        @Option(help: "Hashed weights to list per output (largest magnitude first; 0 for all non-zero).") var top: Int = 40

        func run() throws {
            try runOrExit {
                let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
                let w = m.weights
                print("model \(m.manifest.name) \(m.manifest.version) (format \(m.manifest.format) \(m.manifest.formatVersion))")
                print("outputs: " + m.manifest.outputs.map { "\($0.name) [\($0.link), a=\($0.calibrationA), b=\($0.calibrationB)]" }.joined(separator: "; "))
                print("hash: bits=\(m.manifest.features.hash.bits) seed=0x\(String(m.manifest.features.hash.seed, radix: 16)) char n-grams \(m.manifest.features.hash.charMin)-\(m.manifest.features.hash.charMax)")
                for (n, pin) in m.manifest.lexicons.sorted(by: { $0.key < $1.key }) { print("lexicon \(n) \(pin.version) sha256:\(pin.sha256)") }
                // Names for hashed buckets: every lexicon term's word unigram (phrases by their first word).
                var names: [Int: String] = [:]
                let hasher = m.manifest.features.hash.hasher
                for term in m.extractor.lexicons.terms {
                    for tok in Tokenizer().tokenize(term) where tok.isLexical {
                        let b = hasher.word(tok.hash)
                        let word = String(term.unicodeScalars.dropFirst(Int(tok.charStart)).prefix(Int(tok.charEnd - tok.charStart)).map(Character.init))
                        if names[b] == nil { names[b] = "w:" + word.lowercased() }
                    }
                }
                for (o, out) in m.manifest.outputs.enumerated() {
                    print("\n[\(out.name)]")
                    print(String(format: "%-24@ %+.6f", "bias" as NSString, w.bias[o]))
                    for f in DenseFeature.allCases {
                        print(String(format: "%-24@ %+.6f", f.name as NSString, w.dense[f.rawValue * w.outputs + o]))
                    }
                    var hashed: [(Int, Float)] = []
                    for b in 0..<(1 << w.bits) where w.hashedWeight(at: b * w.outputs + o) != 0 { hashed.append((b, w.hashedWeight(at: b * w.outputs + o))) }
                    hashed.sort { abs($0.1) != abs($1.1) ? abs($0.1) > abs($1.1) : $0.0 < $1.0 }
                    print("hashed: \(hashed.count) non-zero buckets")
                    for (b, v) in (top > 0 ? Array(hashed.prefix(top)) : hashed) {
                        print(String(format: "  bucket %7d %+.6f  %@", b, v, (names[b] ?? "?") as NSString))
                    }
                }
                return 0
            }
        }
    }
}
