import Testing
@testable import RhetorScoring
import RhetorText

/// Each rule with a small sentence written for the test, on the bundled lexicons.
@Suite struct RuleTests {
    let extractor: FeatureExtractor

    init() throws {
        extractor = FeatureExtractor(lexicons: try Repo.lexiconSet(), spec: HashSpec(bits: 10))
    }

    func features(_ s: String) -> FeatureVector { extractor.extract(s, explain: true) }
    func value(_ s: String, _ f: DenseFeature) -> Float { features(s).dense[f.rawValue] }
    func evidence(_ s: String, term: String) -> Evidence? { features(s).evidence.first { $0.term == term } }
    /// Undo the length normalization so sentences of different lengths compare.
    func raw(_ s: String, _ f: DenseFeature, lexical: Int) -> Float { value(s, f) * Float(lexical).squareRoot() }

    @Test func longestPhraseWinsOverItsParts() throws {
        let e = try #require(evidence("We are not ruling out talks", term: "not ruling out"))
        #expect(e.feature == .hedge && e.value < 0)
        #expect(e.rules.isEmpty, "the phrase is matched whole, so 'not' does not negate it")
        #expect(e.charStart == 7 && e.charEnd == 21)
        let b = try #require(evidence("Without doubt it works", term: "without doubt"))
        #expect(b.feature == .booster && b.value > 0)
    }

    @Test func negationFlipsCertaintyAndValence() throws {
        let plain = try #require(evidence("The result is certain", term: "certain"))
        let negated = try #require(evidence("The result is not certain", term: "certain"))
        #expect(plain.feature == .booster && negated.feature == .hedge)
        #expect(negated.rules == ["negated"])
        // -0.74 (VADER's N_SCALAR), after undoing the length normalization (4 vs 5 lexical tokens).
        let ratio = (negated.value * Float(5).squareRoot()) / (plain.value * Float(4).squareRoot())
        #expect(abs(ratio - -0.74) < 1e-5)
        #expect(value("The film was not good", .negative) < 0 && value("The film was not good", .positive) == 0)
    }

    @Test func negatedHostilityIsKeptApart() {
        #expect(value("You are not stupid", .negatedHostility) > 0)
        #expect(value("You are not stupid", .insult) == 0)
        #expect(value("You are stupid", .insult) > 0)
    }

    @Test func negationScopeIsThreeTokens() throws {
        let far = try #require(evidence("not that it was ever certain", term: "certain"))
        #expect(!far.rules.contains("negated"), "five tokens back is out of scope")
    }

    @Test func intensifiersAndDampenersScale() throws {
        let base = raw("This is ridiculous", .contempt, lexical: 3)
        let up = raw("This is very ridiculous", .contempt, lexical: 4)
        let down = raw("This is somewhat ridiculous", .contempt, lexical: 4)
        #expect(abs(up / base - 1.293) < 1e-5)
        #expect(abs(down / base - 0.707) < 1e-5)
        #expect(evidence("This is very ridiculous", term: "ridiculous")?.rules == ["intensified"])
        // Two tokens back counts 95 percent (VADER's decay).
        let decayed = raw("very much ridiculous", .contempt, lexical: 3)
        #expect(abs(decayed / base - (1 + 0.293 * 0.95)) < 1e-5)
    }

    @Test func contrastWeighsTheSecondClause() throws {
        let s = "The plan is good but the execution is terrible"
        let good = try #require(evidence(s, term: "good"))
        let terrible = try #require(evidence(s, term: "terrible"))
        #expect(good.rules == ["before-contrast"] && terrible.rules == ["after-contrast"])
        let alone = try #require(evidence("The plan is good and the execution is terrible", term: "good"))
        #expect(abs(good.value / alone.value - 0.5) < 1e-5)
    }

    @Test func allCapsEmphasisOnlyInMixedCase() {
        let base = value("This is ridiculous", .contempt)
        #expect(abs(value("This is RIDICULOUS", .contempt) / base - 1.733) < 1e-5)
        #expect(value("THIS IS RIDICULOUS", .contempt) == base, "shouting everything emphasizes nothing")
        #expect(value("This is RIDICULOUS", .allCaps) > 0)
    }

    @Test func exclamationAndQuestionMarksAreCapped() {
        #expect(abs(value("Ridiculous!!!", .exclamation) - 3 * 0.292) < 1e-6)
        #expect(abs(value("Ridiculous!!!!!!!", .exclamation) - 4 * 0.292) < 1e-6)
        #expect(abs(value("Really???", .question) - 3 * 0.18) < 1e-6)
        // Emphasis pushes the compound score further from zero.
        #expect(value("Great!!!", .compound) > value("Great", .compound))
    }

    @Test func hostilityCategoriesSeparate() {
        #expect(value("They threatened to destroy us", .threat) > 0)
        #expect(value("He is an idiot", .insult) > 0)
        #expect(value("They lied about the fraud", .accusation) > 0)
        #expect(value("We will share useful information", .threat) == 0)
    }

    @Test func evidenceAddsUpToTheDenseBlock() {
        let fv = features("He strongly denied the ridiculous lies, but the truth is NOT good!!!")
        var sums = [Float](repeating: 0, count: DenseFeature.count)
        for e in fv.evidence { sums[e.feature.rawValue] += e.value }
        for f in DenseFeature.allCases {
            #expect(abs(sums[f.rawValue] - fv.dense[f.rawValue]) < 1e-5, "\(f.name)")
        }
    }

    @Test func hashedFeaturesHaveUnitNorm() {
        let fv = features("Hashing is deterministic")
        let norm = fv.values.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-5)
        #expect(fv.buckets.allSatisfy { $0 >= 0 && $0 < 1024 })
        #expect(features("Hashing is deterministic").buckets == fv.buckets)
    }

    /// Only a phrase's first token counts toward the mixed-case test (and emphasis): a
    /// statement whose lower-case words all sit inside a phrase that starts in ALL CAPS is not
    /// mixed case.
    @Test func wordsInsideAPhraseDoNotMakeItMixedCase() {
        #expect(value("NOT ruling out", .allCaps) == 0)
        #expect(value("NOT ruling out talks", .allCaps) > 0)
    }

    /// The packed counts and the one-at-a-time loop agree with counting each token by the
    /// rules' definitions, for every kind and every flag combination.
    @Test func tokenCountsMatchPlainCounting() {
        var tokens: [Token] = []
        for kind in 0...8 {
            for flags in 0..<64 {
                tokens.append(Token(byteStart: 0, byteEnd: 1, charStart: 0, charEnd: 1, hash: 0, kind: TokenKind(rawValue: UInt8(kind))!,
                                    flags: TokenFlags(rawValue: UInt8(flags)), runLength: UInt16(1 + flags % 3)))
            }
        }
        var lexical = 0, caps = 0, lower = 0, exclamations = 0, questions = 0
        for t in tokens {
            if t.isLexical { lexical += 1 }
            if t.flags.contains(.allCaps) { caps += 1 } else if t.kind == .word { lower += 1 }
            if t.kind == .emphasis {
                if t.flags.contains(.exclamation) { exclamations += Int(t.runLength) }
                if t.flags.contains(.question), !t.flags.contains(.exclamation) { questions += Int(t.runLength) }
            }
        }
        let counts = tokens.withUnsafeBufferPointer { TokenCounts($0) }
        #expect(counts.lexical == lexical && counts.caps == caps && counts.lower == lower)
        #expect(counts.exclamations == exclamations && counts.questions == questions)
        // The one-at-a-time loop that token lists too long for the packed lanes take.
        let each = tokens.withUnsafeBufferPointer { TokenCounts(countingEach: $0) }
        #expect(each.lexical == lexical && each.caps == caps && each.lower == lower)
        #expect(each.exclamations == exclamations && each.questions == questions)
        var inside = counts
        for t in tokens { inside.uncountInsidePhrase(t) }
        #expect(inside.lower == 0 && inside.exclamations == 0 && inside.questions == 0 && inside.caps == caps)
    }

    /// Every phrase of two tokens or more in the bundled lexicons, alone and inside a sentence,
    /// is matched whole by the scorer's hint path (`longestMatch(_:at:hint:)`, which first asks
    /// the token-pair filter) as by the general path; a start whose next token begins no phrase
    /// with it matches only its own one-token entry.
    @Test func everyPhraseMatchesWholeThroughTheHintPath() throws {
        let lexicons = try Repo.lexiconSet()
        let tokenizer = Tokenizer()
        var phrases = 0
        for (e, entry) in lexicons.entries.enumerated() where entry.isEntry && entry.length > 1 {
            let term = lexicons.terms[Int(entry.term)]
            for (text, start) in [(term, 0), ("So " + term + " here.", 1)] {
                let tokens = tokenizer.tokenize(text)
                tokens.withUnsafeBufferPointer { tb in
                    let viaHint = lexicons.longestMatch(tb, at: start, hint: lexicons.hint(tb[start].hash))
                    let general = lexicons.longestMatch(tb, at: start)
                    #expect(viaHint?.entry == e && viaHint?.length == Int(entry.length), "\(term)")
                    #expect(general?.entry == viaHint?.entry && general?.length == viaHint?.length, "\(term)")
                }
            }
            phrases += 1
        }
        #expect(phrases > 40)
        // "in" starts phrases ("in fact") and is no entry; "in Paris" starts none.
        let tokens = tokenizer.tokenize("in Paris")
        tokens.withUnsafeBufferPointer { tb in
            #expect(lexicons.longestMatch(tb, at: 0, hint: lexicons.hint(tb[0].hash)) == nil)
        }
    }

    /// The walk's phrase starts are exactly the tokens with a hint of 0 or more, in order.
    @Test func ruleScanKeepsTheTokensThatStartAKey() {
        let hints: [Int32] = [-1, 4, -2, 0, 7, -1, -1, 12]
        let storage = UnsafeMutablePointer<RuleScan.Start>.allocate(capacity: hints.count)
        defer { storage.deallocate() }
        var scan = RuleScan(starts: storage)
        for (i, h) in hints.enumerated() { scan.add(index: i, hint: h) }
        let kept = (0..<scan.startCount).map { (Int(scan.starts[$0].index), scan.starts[$0].hint) }
        #expect(kept.map(\.0) == [1, 3, 4, 7] && kept.map(\.1) == [4, 0, 7, 12])
    }
}
