import Foundation
import Testing

/// Runs the built `rhetor` executable end to end.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    /// The executable beside the test bundle (`swift build --build-tests` builds it).
    static var executable: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let c = dir.appendingPathComponent("rhetor")
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/rhetor")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var outBytes: Data
    }

    static func run(_ args: [String], stdin: Data = Data(), environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = root
        let tmp = FileManager.default.temporaryDirectory
        let inURL = tmp.appendingPathComponent("rhetor-in-\(UUID().uuidString)")
        let errURL = tmp.appendingPathComponent("rhetor-err-\(UUID().uuidString)")
        try stdin.write(to: inURL)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: inURL); try? FileManager.default.removeItem(at: errURL) }
        let outPipe = Pipe()
        p.standardInput = try FileHandle(forReadingFrom: inURL)
        p.standardOutput = outPipe
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self), outBytes: out)
    }

    /// Runs `args` with `--threads 1`, `2` and `3` on the same input, expects the same output
    /// bytes from each, and returns the one-thread run.
    static func runOnThreadCounts(_ args: [String], stdin: Data) throws -> Result {
        let one = try run(args + ["--threads", "1"], stdin: stdin)
        for threads in ["2", "3"] {
            let other = try run(args + ["--threads", threads], stdin: stdin)
            #expect(other.outBytes == one.outBytes, "\(args) on \(threads) threads")
        }
        return one
    }

    static func json(_ line: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

@Suite(.serialized) struct CLITests {
    /// Output that cannot be written (/dev/full fails every write with ENOSPC) ends `score` and
    /// `quotes` with exit status 1 and a message, never with output cut short in silence.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"))) func anUnwritableOutputExitsWithStatusOne() throws {
        let inputs = [("score", "This is ridiculous.\n"),
                      ("quotes", #"{"id": "a", "text": "Macron said the comments were \"bizarre and threatening\" on Friday."}"# + "\n")]
        for (command, input) in inputs {
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = [command]
            p.currentDirectoryURL = CLI.root
            let inPipe = Pipe(), errPipe = Pipe()
            p.standardInput = inPipe
            p.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            p.standardError = errPipe
            try p.run()
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
            let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 1, "\(command): \(err)")
            #expect(err.contains("cannot write the output"), "\(command): \(err)")
        }
    }

    @Test func scoresJSONLinesInOrderWithTheContractFields() throws {
        let input = """
        {"id": "a", "text": "These accusations are absolutely ridiculous!"}
        {"id": 7, "text": "We will share useful information."}

        """
        let r = try CLI.run(["score", "--input-format", "jsonl", "--output-format", "jsonl"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let a = CLI.json(lines[0]), b = CLI.json(lines[1])
        #expect(a["id"] as? String == "a" && b["id"] as? Int == 7)
        for o in [a, b] {
            for k in ["hostility", "certainty", "valence"] { #expect(o[k] is NSNumber, "\(k)") }
            #expect((o["model"] as? String)?.hasPrefix("rhetor-news@") == true)
        }
        #expect((a["hostility"] as! Double) > (b["hostility"] as! Double))
        #expect(r.stderr.contains("2 records: 2 scored, 0 failed"))
    }

    @Test func badLinesAreAnsweredInPlaceAndTheBatchCarriesOn() throws {
        var input = Data("""
        {"id": "ok1", "text": "Fine."}
        {"id": "broken", "text": 
        {"id": "notext"}
        {"id": "num", "text": 42}
        [1, 2]
        {"id": "empty", "text": "  "}

        """.utf8)
        input.append(0x0A)  // a blank line is a record too
        input.append(contentsOf: [0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A])  // {"text":"\xFF"}
        input.append(Data("{\"id\": \"ok2\", \"text\": \"Also fine.\"}\n".utf8))
        let r = try CLI.run(["score", "--input-format", "jsonl"], stdin: input)
        #expect(r.status == 3)
        let lines = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(lines.count == 9)
        #expect(lines.map { $0["line"] as? Int } == Array(1...9).map { Optional($0) })
        #expect(lines[0]["hostility"] != nil && lines[8]["hostility"] != nil)
        #expect(lines[1]["error"] as? String == "broken JSON: unexpected end of line at byte 26", "the message says what broke and where")
        #expect(lines[2]["error"] as? String == "no \"text\" field" && lines[2]["id"] as? String == "notext")
        #expect(lines[3]["error"] as? String == "\"text\" is not a string")
        #expect(lines[4]["error"] as? String == "not a JSON object")
        #expect(lines[5]["error"] as? String == "empty text")
        #expect(lines[6]["error"] as? String == "empty line", "a blank line is a record too")
        #expect(lines[7]["error"] as? String == "invalid UTF-8")
        #expect(r.stderr.contains("9 records: 2 scored, 7 failed"))
    }

    @Test func outputIsIdenticalForAnyThreadCount() throws {
        var lines: [String] = []
        let words = ["ridiculous", "peace", "not", "certainly", "maybe", "liar", "great", "talks", "never", "!!!", "BAD", "but", "very"]
        var rng = UInt64(42)
        for i in 0..<1500 {
            var s: [String] = []
            for _ in 0..<(i % 17 + 1) {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                s.append(words[Int(rng >> 33) % words.count])
            }
            lines.append(s.joined(separator: " "))
        }
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        let one = try CLI.run(["score", "--threads", "1", "--explain"], stdin: input)
        let two = try CLI.run(["score", "--threads", "2", "--explain"], stdin: input)
        let five = try CLI.run(["score", "--threads", "5", "--explain"], stdin: input)
        #expect(one.status == 0)
        #expect(one.outBytes.count > 0)
        #expect(one.outBytes == two.outBytes)
        #expect(one.outBytes == five.outBytes)
        #expect(one.stdout.split(separator: "\n").count == 1500)
    }

    @Test func csvInAndOut() throws {
        let input = "qid,quote\nq1,\"He said, \"\"this is absurd\"\"\"\nq2,Calm words\n"
        let r = try CLI.run(["score", "--input-format", "csv", "--text-column", "quote", "--id-column", "qid", "--output-format", "csv"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n")
        #expect(rows.first == "line,id,hostility,certainty,valence,model,error")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("2,q1,") && rows[2].hasPrefix("3,q2,"))
        let missing = try CLI.run(["score", "--input-format", "csv", "--text-column", "nope"], stdin: Data("id,text\n1,x\n".utf8))
        #expect(missing.status == 3 && missing.stdout.contains("no column named"))
    }

    @Test func explainAddsContributionsThatSumToTheLogit() throws {
        let r = try CLI.run(["score", "--explain"], stdin: Data("This is NOT acceptable, it is ridiculous!!!\n".utf8))
        let o = CLI.json(r.stdout.split(separator: "\n")[0])
        let ex = try #require(o["explanation"] as? [String: Any])
        for k in ["hostility", "certainty", "valence"] {
            let e = try #require(ex[k] as? [String: Any])
            let parts = try #require(e["contributions"] as? [[String: Any]])
            let sum = parts.reduce(e["bias"] as! Double) { $0 + ($1["contribution"] as! Double) }
            #expect(abs(sum - (e["logit"] as! Double)) < 1e-3)
        }
        let h = (ex["hostility"] as! [String: Any])["contributions"] as! [[String: Any]]
        let term = try #require(h.first { $0["label"] as? String == "ridiculous" })
        #expect(term["start"] as? Int == 30 && term["end"] as? Int == 40)
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CLI.run(["score", "/nonexistent/file.txt"]).status == 2)
        let r = try CLI.run(["score", "--model", "/nonexistent"], stdin: Data("x\n".utf8))
        #expect(r.status == 2 && r.stderr.contains("cannot read model manifest"))
        #expect(try CLI.run(["score", "--threads", "0"]).status == 2)
    }

    @Test func lexiconValidateReportsPathAndLine() throws {
        let ok = try CLI.run(["lexicon", "validate"])
        #expect(ok.status == 0 && ok.stdout.contains("ok  hostility"))
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).tsv")
        try "#! rhetor-lexicon 1\n# name: x\n# version: 1\n# source: s\n# license: l\n# weights: w\n# columns: term\tweight\nb\t1\na\t1\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["lexicon", "validate", bad.path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\(bad.path):9: not sorted"))
    }

    @Test func modelDumpNamesFeatures() throws {
        let r = try CLI.run(["model", "dump", "--top", "3"])
        #expect(r.status == 0)
        for s in ["[hostility]", "[certainty]", "[valence]", "hostility.contempt", "certainty.hedge", "lexicon hostility"] {
            #expect(r.stdout.contains(s), "\(s)")
        }
    }

    @Test func theSeedArticleQuotesRankAsJudged() throws {
        let url = CLI.shared.appendingPathComponent("fixtures/seed/macron-russia.expected.json")
        guard let data = try? Data(contentsOf: url) else { return }  // ../shared absent: nothing to check
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let quotes = try #require(obj["quotes"] as? [[String: Any]])
        var input = ""
        for (i, q) in quotes.enumerated() {
            let text = String(data: try JSONSerialization.data(withJSONObject: q["text"] as! String, options: [.fragmentsAllowed]), encoding: .utf8)!
            input += "{\"id\": \(i), \"text\": \(text)}\n"
        }
        let r = try CLI.run(["score", "--input-format", "jsonl"], stdin: Data(input.utf8))
        let scores = r.stdout.split(separator: "\n").map { CLI.json($0)["hostility"] as! Double }
        let high = quotes.indices.filter { quotes[$0]["hostility"] as? String == "high" }.map { scores[$0] }
        let low = quotes.indices.filter { quotes[$0]["hostility"] as? String == "low" }.map { scores[$0] }
        #expect(high.count >= 3 && low.count >= 3)
        #expect(high.min()! > low.max()!, "every 'high' quote must outscore every 'low' one: \(high) vs \(low)")
    }
}

@Suite(.serialized) struct ScalarKernelSwitchTests {
    @Test func scalarTwinsGiveTheSameBytes() throws {
        var input = ""
        for i in 0..<3000 { input += "Line \(i): this is “quite” ridiculous, isn’t it? Ünïcödé \(i % 7)\n" }
        let simd = try CLI.run(["score", "--explain"], stdin: Data(input.utf8))
        let scalar = try CLI.run(["score", "--explain"], stdin: Data(input.utf8), environment: ["RHETOR_SCALAR_KERNELS": "1"])
        #expect(simd.status == 0 && simd.outBytes.count > 0)
        #expect(simd.outBytes == scalar.outBytes)
    }

    /// Quotes use the JSON string and quote-mark kernels: articles with and without quotes,
    /// escapes and long plain runs, the same bytes either way.
    @Test func scalarTwinsGiveTheSameQuotes() throws {
        var input = ""
        for i in 0..<400 {
            let body = i % 3 == 0 ? "A report with no quotes at all, it's plain and O'Brien's too, number \(i)."
                : "“We will not back down \(i),” Senator Ana Ruiz said on Tuesday. \\\"Never,\\\" he added. It's \(String(repeating: "long ", count: i % 9))done."
            input += "{\"id\": \"a\(i)\", \"text\": \"\(body)\"}\n"
        }
        let simd = try CLI.run(["quotes", "--threads", "2"], stdin: Data(input.utf8))
        let scalar = try CLI.run(["quotes", "--threads", "2"], stdin: Data(input.utf8), environment: ["RHETOR_SCALAR_KERNELS": "1"])
        #expect(simd.status == 0 && simd.outBytes.count > 0)
        #expect(simd.outBytes == scalar.outBytes)
    }
}

@Suite(.serialized) struct StrictAndStatsTests {
    @Test func strictStopsAfterTheFirstErrorRecord() throws {
        let r = try CLI.run(["score", "--strict"], stdin: Data("fine words\n\nnever scored\n".utf8))
        #expect(r.status == 3)
        let lines = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(lines.count == 2)
        #expect(lines[1]["error"] as? String == "empty text")
        #expect(r.stderr.contains("2 records: 1 scored, 1 failed (stopped at the first error: --strict)"))
    }

    /// The first error in a later block, with two threads: everything before it is written once,
    /// nothing after it.
    @Test func strictStopsInALaterBlockWithThreads() throws {
        var input = ""
        for i in 1...700 { input += i == 600 ? "{\"text\": 5}\n" : "{\"id\": \(i), \"text\": \"statement \(i)\"}\n" }
        let r = try CLI.run(["score", "--strict", "--threads", "2", "--input-format", "jsonl"], stdin: Data(input.utf8))
        #expect(r.status == 3)
        let lines = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(lines.count == 600)
        #expect(lines.last?["error"] as? String == "\"text\" is not a string")
        #expect(lines.dropLast().allSatisfy { $0["hostility"] != nil })
        #expect(r.stderr.contains("600 records: 599 scored, 1 failed (stopped at the first error: --strict)"))
    }

    /// Several batches in flight at once (8,192 records a batch): the same bytes for one, two
    /// and three threads, and --strict stops at an error in a later batch with nothing after it.
    @Test func severalBatchesGiveTheSameBytesOnEveryThreadCount() throws {
        let words = ["ridiculous", "peace", "not", "certainly", "maybe", "liar", "great", "talks", "never", "BAD", "but"]
        var lines: [String] = []
        for i in 0..<20_000 { lines.append("\(words[i % words.count]) \(words[(i / 11) % words.count]) statement \(i)") }
        let one = try CLI.runOnThreadCounts(["score"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(one.status == 0)
        #expect(one.stdout.split(separator: "\n").count == 20_000)
        var broken = lines
        broken[17_000] = "   "
        let strict = try CLI.run(["score", "--strict", "--threads", "2"], stdin: Data((broken.joined(separator: "\n") + "\n").utf8))
        #expect(strict.status == 3)
        let written = strict.stdout.split(separator: "\n")
        #expect(written.count == 17_001)
        #expect(written.dropLast().joined(separator: "\n") == one.stdout.split(separator: "\n").prefix(17_000).joined(separator: "\n"))
        #expect(strict.stderr.contains("17001 records: 17000 scored, 1 failed (stopped at the first error: --strict)"))
    }

    /// A 5 MB line (JSON and plain text) is answered by an error record in its place; the lines
    /// around it are scored and the counts add up.
    @Test func aFiveMegabyteLineIsReportedAndTheBatchCarriesOn() throws {
        let big = String(repeating: "word ", count: 1_000_000)
        let json = "{\"id\": \"a\", \"text\": \"Fine.\"}\n{\"id\": \"big\", \"text\": \"\(big)\"}\n{\"id\": \"c\", \"text\": \"Also fine.\"}\n"
        let r = try CLI.run(["score", "--input-format", "jsonl"], stdin: Data(json.utf8))
        let lines = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(lines.count == 3)
        #expect(lines[1]["error"] as? String == "text is 5000000 bytes, over the limit of 1048576" && lines[1]["id"] as? String == "big")
        #expect(lines[0]["hostility"] != nil && lines[2]["hostility"] != nil)
        #expect(r.stderr.contains("3 records: 2 scored, 1 failed"))
        let text = try CLI.run(["score"], stdin: Data("first\n\(big)\nlast\n".utf8))
        let rows = text.stdout.split(separator: "\n").map(CLI.json)
        #expect(rows.count == 3 && rows[1]["line"] as? Int == 2 && (rows[1]["error"] as? String)?.hasPrefix("text is 5000000 bytes") == true)
    }

    @Test func quotesStrictStopsAfterTheFirstBadArticle() throws {
        let input = "{\"id\": \"a\", \"text\": \"He said: \\\"We will win.\\\"\"}\n{\"id\": \"b\"\n{\"id\": \"c\", \"text\": \"Never read.\"}\n"
        let r = try CLI.run(["quotes", "--strict"], stdin: Data(input.utf8))
        #expect(r.status == 3)
        let rows = r.stdout.split(separator: "\n").map(CLI.json)
        #expect(rows.count == 2)
        #expect(rows[0]["text"] as? String == "We will win.")
        #expect((rows[1]["error"] as? String)?.hasPrefix("broken JSON") == true)
        #expect(r.stderr.contains("2 articles: 1 read, 1 failed; 1 quotes (stopped at the first error: --strict)"))
    }

    @Test func statsPrintsASummaryAndNoProgressWithoutATerminal() throws {
        let r = try CLI.run(["score", "--stats"], stdin: Data("one\ntwo\nthree\n".utf8))
        #expect(r.status == 0)
        #expect(r.stderr.contains("rhetor score: 3 records: 3 scored, 0 failed"))
        #expect(r.stderr.contains("MB/s"))
        #expect(!r.stderr.contains("\r"), "progress is only drawn on a terminal")
    }
}
