import Foundation
import Testing

@Suite(.serialized) struct QuotesCLITests {
    static let article = """
    Governor Ana Ruiz called the proposal “a reckless gamble with our future,” rejecting the critics as “badly informed.”\\n\\n“We will not back down,” Ruiz told reporters on Monday. The Kremlin said the talks were “productive and frank.”
    """

    @Test func jsonLinesContract() throws {
        let input = "{\"id\": \"a1\", \"date\": \"2024-04-04\", \"text\": \"\(Self.article)\"}\n"
        let r = try CLI.run(["quotes", "--input-format", "jsonl", "--output-format", "jsonl"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(rows.count == 4)
        for row in rows {
            for k in ["article", "start", "end", "text", "speaker", "speakerStart", "speakerEnd", "cue", "kind", "date", "hostility", "certainty", "valence"] {
                #expect(row[k] != nil, "missing \(k)")
            }
            #expect(row["article"] as? String == "a1" && row["date"] as? String == "2024-04-04")
        }
        #expect(rows.map { $0["speaker"] as? String } == ["Ana Ruiz", "Ana Ruiz", "Ana Ruiz", "Kremlin"])
        #expect(rows.map { $0["kind"] as? String } == ["partial", "fragment", "direct", "partial"])
        // start/end are code points into the text: Python's text[start:end].
        let text = "Governor Ana Ruiz called the proposal “a reckless gamble with our future,” rejecting"
        let scalars = Array(text.unicodeScalars)
        let s = rows[0]["start"] as! Int, e = rows[0]["end"] as! Int
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars[s..<e])
        #expect(String(v) == rows[0]["text"] as? String)
        #expect(r.stderr.contains("1 articles: 1 read, 0 failed; 4 quotes"))
    }

    @Test func badArticlesAreReportedInPlace() throws {
        let input = "{\"id\": \"ok\", \"text\": \"“Fine words here,” Ana Ruiz said.\"}\n{broken\n{\"id\": \"nt\"}\n{\"id\": \"ok2\", \"text\": \"No quotes at all.\"}\n"
        let r = try CLI.run(["quotes"], stdin: Data(input.utf8))
        #expect(r.status == 3)
        let rows = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(rows.count == 3)
        #expect(rows[0]["speaker"] as? String == "Ana Ruiz")
        #expect(rows[1]["line"] as? Int == 2 && (rows[1]["error"] as? String)?.hasPrefix("broken JSON: ") == true)
        #expect(rows[2]["line"] as? Int == 3 && rows[2]["article"] as? String == "nt")
        #expect(r.stderr.contains("4 articles: 2 read, 2 failed; 1 quotes"))
    }

    @Test func plainTextFileWithIdAndDate() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("article-\(UUID().uuidString).txt")
        try "“We are ready,” Mayor Ana Ruiz said.".write(to: url, atomically: true, encoding: .utf8)
        let r = try CLI.run(["quotes", url.path, "--id", "x9", "--date", "2020-01-31"])
        let row = CLI.json(r.stdout.split(separator: "\n")[0])
        #expect(row["article"] as? String == "x9" && row["date"] as? String == "2020-01-31" && row["speaker"] as? String == "Ana Ruiz")
    }

    /// A directory stands for the article files under it, read in path order; other files and
    /// hidden ones are skipped. `rhetor score` reads every file under a directory.
    @Test func directoriesAreReadInPathOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("articles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("2024"), withIntermediateDirectories: true)
        try "“Second,” Ana Ruiz said.".write(to: dir.appendingPathComponent("2024/b.txt"), atomically: true, encoding: .utf8)
        try "“First,” Ana Ruiz said.".write(to: dir.appendingPathComponent("2024/a.txt"), atomically: true, encoding: .utf8)
        try "{\"id\": \"j\", \"text\": \"“Third,” Ana Ruiz said.\"}\n".write(to: dir.appendingPathComponent("z.jsonl"), atomically: true, encoding: .utf8)
        try "not an article".write(to: dir.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        try "“Hidden,” Ana Ruiz said.".write(to: dir.appendingPathComponent(".hidden.txt"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["quotes", dir.path])
        let rows = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(rows.map { $0["article"] as? String } == ["a", "b", "j"])
        #expect(rows.map { $0["text"] as? String } == ["First,", "Second,", "Third,"])
        let lines = dir.appendingPathComponent("lines")
        try FileManager.default.createDirectory(at: lines, withIntermediateDirectories: true)
        try "one\ntwo\n".write(to: lines.appendingPathComponent("1.txt"), atomically: true, encoding: .utf8)
        try "three\n".write(to: lines.appendingPathComponent("2.txt"), atomically: true, encoding: .utf8)
        let scored = try CLI.run(["score", lines.path])
        #expect(scored.stdout.split(separator: "\n").count == 3)
        #expect(scored.stderr.contains("3 records: 3 scored, 0 failed"))
    }

    @Test func aliasesFileMergesSpeakers() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aliases-\(UUID().uuidString).tsv")
        try "# alias\tcanonical\nAna Ruiz\tAna María Ruiz\n".write(to: url, atomically: true, encoding: .utf8)
        let r = try CLI.run(["quotes", "--aliases", url.path], stdin: Data("{\"id\": 1, \"text\": \"“We are ready,” Ana Ruiz said.\"}\n".utf8))
        #expect(CLI.json(r.stdout.split(separator: "\n")[0])["speaker"] as? String == "Ana María Ruiz")
    }

    @Test func csvOutputAndThreadDeterminism() throws {
        var input = ""
        for i in 0..<300 { input += "{\"id\": \(i), \"text\": \"\(Self.article) Item \(i).\"}\n" }
        let one = try CLI.run(["quotes", "--threads", "1"], stdin: Data(input.utf8))
        let three = try CLI.run(["quotes", "--threads", "3"], stdin: Data(input.utf8))
        #expect(one.outBytes == three.outBytes && one.outBytes.count > 0)
        let csv = try CLI.run(["quotes", "--output-format", "csv"], stdin: Data(input.utf8))
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "article,start,end,text,speaker,speakerStart,speakerEnd,cue,kind,date,hostility,certainty,valence,model,line,error")
        #expect(lines.count == 1 + 300 * 4)
    }

    /// Three batches (1,024 articles a batch) in flight on the workers: the same bytes for one,
    /// two and three threads, and --strict stops at a bad article in the third batch.
    @Test func severalBatchesGiveTheSameBytesOnEveryThreadCount() throws {
        var articles: [String] = []
        for i in 0..<2_500 { articles.append("{\"id\": \(i), \"text\": \"\(Self.article) Item \(i).\"}") }
        let one = try CLI.runOnThreadCounts(["quotes"], stdin: Data((articles.joined(separator: "\n") + "\n").utf8))
        #expect(one.status == 0)
        #expect(one.stdout.split(separator: "\n").count == 2_500 * 4)
        var broken = articles
        broken[2_100] = "{\"id\": \"bad\", \"text\": 5}"
        let strict = try CLI.run(["quotes", "--strict", "--threads", "2"], stdin: Data((broken.joined(separator: "\n") + "\n").utf8))
        #expect(strict.status == 3)
        let lines = strict.stdout.split(separator: "\n")
        #expect(lines.count == 2_100 * 4 + 1)
        #expect(lines.dropLast().joined(separator: "\n") == one.stdout.split(separator: "\n").prefix(2_100 * 4).joined(separator: "\n"))
        #expect(strict.stderr.contains("2101 articles: 2100 read, 1 failed; 8400 quotes (stopped at the first error: --strict)"))
    }

    @Test func statsSummarizesTheRun() throws {
        let r = try CLI.run(["quotes", "--stats"], stdin: Data("{\"id\": 1, \"text\": \"“We are ready,” Ana Ruiz said.\"}\n".utf8))
        #expect(r.status == 0)
        #expect(r.stderr.contains("MB of text") && r.stderr.contains("1 quotes"))
        #expect(!r.stderr.contains("\r"))
    }
}
