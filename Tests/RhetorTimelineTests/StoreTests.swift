import Foundation
import Testing
@testable import RhetorTimeline

@Suite struct StoreTests {
    func temp() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-\(UUID().uuidString).sqlite").path }

    func quote(_ i: Int, _ speaker: String?, _ h: Double, kind: String = "direct") -> StoredQuote {
        StoredQuote(ordinal: i, start: i * 10, end: i * 10 + 5, text: "quote \(i)", kind: kind, speaker: speaker, mention: speaker, mentionStart: 0, mentionEnd: 3,
                    cue: "said", hostility: h, certainty: 0.5, valence: 0, explanation: "{}")
    }

    func article(_ id: String, _ date: String?, hash: String) -> StoredArticle {
        StoredArticle(id: id, date: date, source: "test", title: "t", contentHash: hash)
    }

    @Test func ingestIsIdempotentAndReplacesChangedArticles() throws {
        let store = try TimelineStore(path: temp())
        let batch = [(article("a1", "2016-01-05", hash: "h1"), [quote(0, "Ana Ruiz", 0.1), quote(1, "Tom Okafor", 0.9)]),
                     (article("a2", "2016-02-05", hash: "h2"), [quote(0, "Ana Ruiz", 0.3)])]
        #expect(try store.write(batch, modelVersion: "m@1", rescore: false) == [.inserted, .inserted])
        let before = try store.dump()
        #expect(try store.write(batch, modelVersion: "m@1", rescore: false) == [.unchanged, .unchanged])
        #expect(try store.dump() == before)
        // A changed article replaces its quotes.
        let changed = [(article("a1", "2016-01-05", hash: "h1b"), [quote(0, "Ana Ruiz", 0.7)])]
        #expect(try store.write(changed, modelVersion: "m@1", rescore: false) == [.replaced])
        let ana = try store.quotes(speakers: ["Ana Ruiz"], excludeFragments: false).quotes
        #expect(ana.map(\.hostility) == [0.7, 0.3])
        #expect(try store.quotes(speakers: ["Tom Okafor"], excludeFragments: false).quotes.isEmpty)
    }

    @Test func otherModelVersionIsReportedUntilRescored() throws {
        let store = try TimelineStore(path: temp())
        let batch = [(article("a1", "2016-01-05", hash: "h1"), [quote(0, "Ana Ruiz", 0.1)])]
        _ = try store.write(batch, modelVersion: "m@1", rescore: false)
        #expect(try store.write(batch, modelVersion: "m@2", rescore: false) == [.staleModel])
        #expect(try store.modelVersions() == ["m@1": 1])
        #expect(try store.write(batch, modelVersion: "m@2", rescore: true) == [.replaced])
        #expect(try store.modelVersions() == ["m@2": 1])
    }

    @Test func aliasesAndSurnamesMergeSpeakers() throws {
        let store = try TimelineStore(path: temp())
        _ = try store.write([
            (article("a1", "2016-01-05", hash: "1"), [quote(0, "Ana Ruiz", 0.1), quote(1, "Ruiz", 0.2), quote(2, "A. Ruiz-Lopez", 0.3)]),
            (article("a2", "2016-03-05", hash: "2"), [quote(0, "Tom Okafor", 0.4), quote(1, "Okafor", 0.5), quote(2, "Jo Okafor", 0.6)]),
        ], modelVersion: "m@1", rescore: false)
        try store.addAlias("a. ruiz-lopez", name: "Ana Ruiz")
        let speakers = try store.speakers()
        let ana = try #require(speakers.first { $0.speaker == "Ana Ruiz" })
        #expect(ana.quotes == 3 && ana.articles == 1 && ana.first == "2016-01-05")
        // "Okafor" is the last word of two full names: ambiguous, so it stays apart.
        #expect(speakers.contains { $0.speaker == "Okafor" })
        #expect(try store.resolve("RUIZ") == "Ana Ruiz")
        #expect(try store.quotes(speakers: ["ruiz"], excludeFragments: false).quotes.count == 3)
    }

    @Test func undatedAndFragmentQuotesAreFiltered() throws {
        let store = try TimelineStore(path: temp())
        _ = try store.write([
            (article("a1", nil, hash: "1"), [quote(0, "Ana Ruiz", 0.1)]),
            (article("a2", "2016-01-02", hash: "2"), [quote(0, "Ana Ruiz", 0.2, kind: "fragment"), quote(1, "Ana Ruiz", 0.3)]),
        ], modelVersion: "m@1", rescore: false)
        let all = try store.quotes(speakers: ["Ana Ruiz"], excludeFragments: false)
        #expect(all.quotes.count == 2 && all.undated == 1)
        #expect(try store.quotes(speakers: ["Ana Ruiz"], excludeFragments: true).quotes.count == 1)
        #expect(try store.quotes(speakers: ["Ana Ruiz"], excludeFragments: false, from: PlainDate("2016-01-03")).quotes.isEmpty)
    }
}
