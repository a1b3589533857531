import Foundation
import Testing

@Suite(.serialized) struct TimelineCLITests {
    func temp(_ ext: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-\(UUID().uuidString).\(ext)").path }

    /// Articles written for the test: two speakers over four months, some hostile, some calm.
    func articles(_ count: Int = 40) -> Data {
        let hostile = ["This is a disgrace and a lie", "What a ridiculous, pathetic plan", "They are liars and cowards"]
        let calm = ["We will work together on the budget", "The talks were useful and constructive", "Our plan helps working families"]
        var out = ""
        for i in 0..<count {
            let month = 1 + i % 4
            let day = 1 + (i * 7) % 28
            let date = String(format: "2016-%02d-%02d", month, day)
            let a = i % 2 == 0 ? hostile[i % 3] : calm[i % 3]
            let b = i % 3 == 0 ? hostile[(i + 1) % 3] : calm[(i + 2) % 3]
            let text = "“\(a),” Senator Ana Ruiz said on Monday.\\n\\n“\(b),” Governor Tom Okafor told reporters. Ruiz added that the vote was “\(calm[i % 3].lowercased()).”"
            out += "{\"id\": \"art-\(i)\", \"date\": \"\(date)\", \"title\": \"Story \(i)\", \"source\": \"test\", \"text\": \"\(text)\"}\n"
        }
        return Data(out.utf8)
    }

    @Test func ingestIsIdempotentAndTheStoreAnswers() throws {
        let db = temp("sqlite")
        let first = try CLI.run(["ingest", "--db", db], stdin: articles())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("40 articles: 40 inserted, 0 replaced, 0 unchanged"))
        let again = try CLI.run(["ingest", "--db", db], stdin: articles())
        #expect(again.stderr.contains("40 articles: 0 inserted, 0 replaced, 40 unchanged"))

        let speakers = try CLI.run(["speakers", "--db", db, "--format", "csv"])
        let rows = speakers.stdout.split(separator: "\n")
        #expect(rows.first == "speaker,quotes,articles,first,last")
        #expect(rows.contains { $0.hasPrefix("Ana Ruiz,80,40,2016-01-01,2016-04-") })
        #expect(rows.contains { $0.hasPrefix("Tom Okafor,40,40,") })

        let timeline = try CLI.run(["timeline", "--db", db, "--speaker", "Ana Ruiz", "--speaker", "tom okafor", "--by", "month", "--metric", "hostility", "--format", "jsonl"])
        #expect(timeline.status == 0, "\(timeline.stderr)")
        let points = timeline.stdout.split(separator: "\n").map(CLI.json)
        #expect(points.count == 8)
        for p in points {
            for k in ["speaker", "period", "n", "mean", "ciLow", "ciHigh"] { #expect(p[k] != nil, "missing \(k)") }
            #expect((p["ciLow"] as! Double) <= (p["mean"] as! Double) && (p["mean"] as! Double) <= (p["ciHigh"] as! Double))
        }
        #expect(points.map { $0["period"] as? String }.prefix(4) == ["2016-01", "2016-02", "2016-03", "2016-04"])
        #expect(points[0]["speaker"] as? String == "Ana Ruiz" && points[4]["speaker"] as? String == "Tom Okafor")

        let csv = try CLI.run(["timeline", "--db", db, "--speaker", "Ana Ruiz", "--by", "quarter", "--format", "csv", "--exclude-fragments", "--weight", "length"])
        #expect(csv.stdout.split(separator: "\n").first == "speaker,period,start,n,mean,ciLow,ciHigh,metric,ciMethod")
        #expect(csv.stdout.contains("Ana Ruiz,2016-Q1,2016-01-01,"))

        let compare = try CLI.run(["compare", "--db", db, "--speaker", "Ana Ruiz", "--speaker", "Tom Okafor", "--metric", "hostility", "--format", "json"])
        let c = CLI.json(compare.stdout.split(separator: "\n")[0])
        for k in ["difference", "ciLow", "ciHigh", "pValue", "effectSize"] { #expect(c[k] is NSNumber, "missing \(k)") }
        let a = try #require(c["a"] as? [String: Any])
        #expect(a["n"] as? Int == 80 && a["mean"] is NSNumber)
        let ranges = try CLI.run(["compare", "--db", db, "--speaker", "Ana Ruiz", "--range", "2016-01-01..2016-02-29", "--range", "2016-03-01..", "--format", "json"])
        #expect(ranges.status == 0, "\(ranges.stderr)")
    }

    @Test func aKilledIngestResumesToTheSameDatabase() throws {
        let clean = temp("sqlite")
        _ = try CLI.run(["ingest", "--db", clean], stdin: articles(300))
        let killed = temp("sqlite")
        // The process kills itself (SIGKILL) inside the transaction of its second batch.
        let crash = try CLI.run(["ingest", "--db", killed], stdin: articles(300), environment: ["RHETOR_TEST_KILL_AFTER": "300"])
        #expect(crash.status != 0)
        let resumed = try CLI.run(["ingest", "--db", killed], stdin: articles(300))
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("256 unchanged"), "\(resumed.stderr)")
        let dumpA = try CLI.run(["speakers", "--db", clean, "--format", "csv"]).stdout
        let dumpB = try CLI.run(["speakers", "--db", killed, "--format", "csv"]).stdout
        #expect(dumpA == dumpB)
        let tA = try CLI.run(["timeline", "--db", clean, "--speaker", "Ana Ruiz", "--by", "week", "--format", "csv"]).stdout
        let tB = try CLI.run(["timeline", "--db", killed, "--speaker", "Ana Ruiz", "--by", "week", "--format", "csv"]).stdout
        #expect(tA == tB && !tA.isEmpty)
    }

    @Test func aliasCommandMergesSpeakers() throws {
        let db = temp("sqlite")
        _ = try CLI.run(["ingest", "--db", db], stdin: articles(8))
        #expect(try CLI.run(["alias", "add", "--db", db, "Tom Okafor", "Ana Ruiz"]).status == 0)
        let rows = try CLI.run(["speakers", "--db", db, "--format", "csv"]).stdout.split(separator: "\n")
        #expect(rows.count == 2 && rows[1].hasPrefix("Ana Ruiz,24,8,"))
    }

    @Test func htmlReportsAreWritten() throws {
        let db = temp("sqlite")
        _ = try CLI.run(["ingest", "--db", db], stdin: articles())
        let page = temp("html")
        let r = try CLI.run(["timeline", "--db", db, "--speaker", "Ana Ruiz", "--speaker", "Tom Okafor", "--by", "month", "--html", page])
        #expect(r.status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for s in ["<svg", "Hostility by month", "Certainty by month", "Valence by month", "Ana Ruiz", "Tom Okafor", "most hostile", "why:", "2016-03", "<polygon"] {
            #expect(html.contains(s), "missing \(s)")
        }
        #expect(!html.contains("<script"), "the page is self-contained and static")
        let cmp = temp("html")
        _ = try CLI.run(["compare", "--db", db, "--speaker", "Ana Ruiz", "--speaker", "Tom Okafor", "--html", cmp])
        #expect(try String(contentsOfFile: cmp, encoding: .utf8).contains("permutation p-value"))
    }

    @Test func badRecordsAndMissingDates() throws {
        let db = temp("sqlite")
        let input = "{\"id\": \"x\", \"date\": \"2016-13-01\", \"text\": \"“Bad date here,” Ana Ruiz said.\"}\n{oops\n{\"text\": \"“No id,” Ana Ruiz said.\"}\n{\"id\": \"nodate\", \"text\": \"“Fine,” Ana Ruiz said.\"}\n"
        let r = try CLI.run(["ingest", "--db", db], stdin: Data(input.utf8))
        #expect(r.status == 3)
        #expect(r.stderr.contains("line 1: date '2016-13-01' is not YYYY-MM-DD"))
        #expect(r.stderr.contains("line 2: broken JSON"))
        #expect(r.stderr.contains("line 3: no \"id\""))
        #expect(r.stderr.contains("4 articles: 1 inserted, 0 replaced, 0 unchanged, 0 scored by another model, 3 failed"))
        let t = try CLI.run(["timeline", "--db", db, "--speaker", "Ana Ruiz"])
        #expect(t.stderr.contains("1 quotes without a valid date left out"))
    }

    @Test func seedArticleIngestsWithMacronAsSpeaker() throws {
        let seed = CLI.shared.appendingPathComponent("fixtures/seed/macron-russia.jsonl")
        guard FileManager.default.fileExists(atPath: seed.path) else { return }  // ../shared absent
        let db = temp("sqlite")
        let r = try CLI.run(["ingest", "--db", db, seed.path])
        #expect(r.status == 0)
        let rows = try CLI.run(["speakers", "--db", db, "--format", "csv"]).stdout
        #expect(rows.contains("Emmanuel Macron,5,1,2024-04-04,2024-04-04"))
    }
}

@Suite(.serialized) struct PolNeARTimelineTests {
    /// The PolNeAR dev articles as article JSON lines, built from metadata.tsv (skipped without ../shared).
    static func devArticles() throws -> Data? {
        let root = CLI.shared.appendingPathComponent("data/attribution/polnear")
        guard let meta = try? String(contentsOf: root.appendingPathComponent("metadata.tsv"), encoding: .utf8) else { return nil }
        var out = Data()
        var seen = Set<String>()
        let lines = meta.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let c = header.firstIndex(of: "compartment"), let f = header.firstIndex(of: "filename"),
              let d = header.firstIndex(of: "publication_date") else { return nil }
        for row in lines.dropFirst() where row.count == header.count && row[c] == "dev" && !seen.contains(row[f]) {
            seen.insert(row[f])
            let text = try String(contentsOf: root.appendingPathComponent("dev/text/\(row[f]).txt"), encoding: .utf8)
            out.append(try JSONSerialization.data(withJSONObject: ["id": row[f], "date": row[d], "text": text], options: [.sortedKeys]))
            out.append(0x0A)
        }
        return out
    }

    @Test func polnearIngestsAndGivesAMonthlyTimelineOfBothCandidates() throws {
        guard let input = try Self.devArticles() else { return }
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-\(UUID().uuidString).sqlite").path
        let aliases = CLI.root.appendingPathComponent("samples/aliases-us2016.tsv").path
        let r = try CLI.run(["ingest", "--db", db, "--aliases", aliases], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("84 articles: 84 inserted"))
        let t = try CLI.run(["timeline", "--db", db, "--speaker", "Donald Trump", "--speaker", "Hillary Clinton", "--by", "month", "--format", "jsonl"])
        let points = t.stdout.split(separator: "\n").map(CLI.json)
        for name in ["Donald Trump", "Hillary Clinton"] {
            let mine = points.filter { $0["speaker"] as? String == name }
            #expect(mine.map { $0["period"] as? String }.contains("2016-09"), "\(name)")
            #expect(mine.contains { ($0["n"] as? Int ?? 0) >= 10 && $0["ciLow"] is NSNumber }, "\(name)")
        }
    }
}
