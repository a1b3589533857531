import Foundation
import Testing
@testable import RhetorQuotes

/// Each attribution pattern, in sentences written for these tests.
@Suite struct AttributionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let extractor: QuoteExtractor

    init() throws {
        extractor = QuoteExtractor(lexicon: try AttributionLexicon(directory: Self.root.appendingPathComponent("lexicons")))
    }

    func speakers(_ text: String) -> [String?] { extractor.extract(text).map(\.speaker) }
    func one(_ text: String) throws -> ExtractedQuote { try #require(extractor.extract(text).first) }

    @Test func quoteThenNameSaid() throws {
        let q = try one("“We will not back down,” Maria Lopez said on Monday.")
        #expect(q.speaker == "Maria Lopez" && q.cue == "said" && q.kind == .direct)
        #expect(q.speakerMention == "Maria Lopez")
    }

    /// Canonical names: an initial keeps its full stop, the middle initials of a longer name are
    /// left out, and non-ASCII letters come through as they are.
    @Test func canonicalNamesDropMiddleInitials() throws {
        #expect(try one("“We will not back down,” Donald J. Trump said on Monday.").speaker == "Donald Trump")
        #expect(try one("“We will not back down,” J. Smith said on Monday.").speaker == "J. Smith")
        #expect(try one("“We will not back down,” François Hollande said on Monday.").speaker == "François Hollande")
        #expect(try one("“We will not back down,” George H. W. Bush said on Monday.").speaker == "George Bush")
        #expect(try one("“We will not back down,” Zoë Sørensen said on Monday.").speaker == "Zoë Sørensen")
    }

    @Test func quoteThenSaidName() throws {
        let q = try one("“We will not back down,” said Senator Maria Lopez.")
        #expect(q.speaker == "Maria Lopez" && q.speakerMention == "Senator Maria Lopez")
    }

    @Test func nameSaidColonQuote() throws {
        let q = try one("Maria Lopez said: “We will not back down.”")
        #expect(q.speaker == "Maria Lopez" && q.cue == "said")
    }

    @Test func appositiveBetweenSubjectAndVerb() throws {
        let q = try one("Tom Okafor, a spokesman for the union, said “the strike goes on.”")
        #expect(q.speaker == "Tom Okafor")
    }

    @Test func describedAsPartialQuote() throws {
        let q = try one("Governor Ana Ruiz described the budget as “a reckless gamble with our future.”")
        #expect(q.speaker == "Ana Ruiz" && q.cue == "described" && q.kind == .partial)
    }

    @Test func participialClauseTakesTheMainSubject() throws {
        let qs = extractor.extract("Ana Ruiz, speaking to reporters, called the plan “absurd,” dismissing the critics as “badly informed people.”")
        #expect(qs.map(\.speaker) == ["Ana Ruiz", "Ana Ruiz"])
        #expect(qs[1].cue == "dismissing")
    }

    @Test func accordingTo() throws {
        let q = try one("The deal is “almost done,” according to Ana Ruiz.")
        #expect(q.speaker == "Ana Ruiz" && q.cue == "according to")
    }

    @Test func pronounsResolveToTheLastSpeaker() throws {
        let qs = extractor.extract("Mayor Ana Ruiz spoke first. She said the city was “ready for anything.”")
        #expect(qs.first?.speaker == "Ana Ruiz")
        #expect(qs.first?.speakerMention == "She")
    }

    /// A role noun ("the minister") names the last titled person whose mention holds it.
    @Test func roleNounsResolveToTheTitledPerson() throws {
        let qs = extractor.extract("Minister Ana Ruiz arrived on Monday.\n\nThe minister said the plan was “a disaster for the whole region.”")
        #expect(qs.first?.speaker == "Ana Ruiz" && qs.first?.speakerMention == "The minister")
    }

    @Test func surnameTakesTheFullNameAndTitlesAreStripped() throws {
        let qs = extractor.extract("President Ana Ruiz arrived late.\n\n“We are ready,” Ruiz said.")
        #expect(qs.first?.speaker == "Ana Ruiz" && qs.first?.speakerMention == "Ruiz")
    }

    /// A surname takes the full name that ends with it most often; on a tie the one that sorts
    /// first; names compare as Strings do, so a decomposed "é" (e + U+0301) matches a precomposed
    /// one, and a surname that only starts like a full name's last word is left alone.
    @Test func surnameResolutionCountsTiesAndUnicode() throws {
        let most = extractor.extract("Ana Ruiz met Luis Ruiz. Luis Ruiz spoke.\n\n“We are ready,” Ruiz said.")
        #expect(most.first?.speaker == "Luis Ruiz")
        let tie = extractor.extract("Luis Ruiz met Ana Ruiz.\n\n“We are ready,” Ruiz said.")
        #expect(tie.first?.speaker == "Ana Ruiz")
        let accents = extractor.extract("Minister José Ramírez arrived.\n\n“We are ready,” Rami\u{301}rez said.")
        #expect(accents.first?.speaker == "José Ramírez")
        let prefix = extractor.extract("Ana Ruizfeld arrived.\n\n“We are ready,” Ruiz said.")
        #expect(prefix.first?.speaker == "Ruiz")
    }

    /// A lone capitalised word opening a sentence is not a name when the article also writes it in
    /// lower case (all capitals do not count), or when it ends in -ing or -ly.
    @Test func sentenceOpenersThatAreNotNames() throws {
        let quote = " said the plan was “a disaster for the whole region.”"
        #expect(speakers("Wexford" + quote) == ["Wexford"])
        #expect(speakers("Wexford" + quote + " The wexford fans agreed.") == [nil])
        #expect(speakers("Wexford" + quote + " The WEXFORD fans agreed.") == ["Wexford"])
        #expect(speakers("Canning" + quote) == [nil])
        #expect(speakers("CANNING" + quote) == [nil])
        #expect(speakers("Kelly" + quote) == [nil])
    }

    @Test func organisationsAndMetonyms() throws {
        #expect(try one("The Kremlin said the talks were “productive and frank.”").speaker == "Kremlin")
        #expect(try one("The French defence ministry said the exercise was “routine and planned.”").speaker == "French defence ministry")
        #expect(try one("Moscow suggested there was a “readiness for dialogue.”").speaker == "Moscow")
    }

    @Test func quoteContinuingInTheNextParagraph() throws {
        let qs = extractor.extract("“We start today,” Ana Ruiz said.\n\n“And we finish when the job is done.”")
        #expect(qs.map(\.speaker) == ["Ana Ruiz", "Ana Ruiz"])
    }

    @Test func multiParagraphQuoteKeepsItsSpeaker() throws {
        let qs = extractor.extract("Ana Ruiz said:\n\n“The first part goes on.\n\n“The second part ends here.”")
        #expect(qs.count == 2 && qs.allSatisfy { $0.speaker == "Ana Ruiz" })
    }

    @Test func scareQuotesAreFragments() throws {
        let q = try one("Officials described the group's “terrorism” in a report.")
        #expect(q.kind == .fragment)
    }

    @Test func titlesOfWorksAreNotStatements() {
        #expect(extractor.extract("She starred in the film “The Long Night Ahead” last year.").isEmpty)
        #expect(extractor.extract("He appeared on “Meet the Press” on Sunday.").isEmpty)
    }

    @Test func aliasesMergeSpeakers() throws {
        let merged = QuoteExtractor(lexicon: extractor.lexicon, aliases: ["Ana Ruiz": "Ana María Ruiz"])
        #expect(merged.extract("“We are ready,” Ana Ruiz said.").first?.speaker == "Ana María Ruiz")
    }

    @Test func offsetsAreCodePoints() throws {
        let text = "Ça va — “déjà vu 😀 again,” Ana Ruiz said."
        let q = try one(text)
        let scalars = Array(text.unicodeScalars)
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars[q.start..<q.end])
        #expect(String(v) == "déjà vu 😀 again,")
        var m = String.UnicodeScalarView()
        m.append(contentsOf: scalars[q.speakerStart!..<q.speakerEnd!])
        #expect(String(m) == "Ana Ruiz")
    }

    @Test func unknownSpeakerIsNil() throws {
        let q = try one("“Nobody knows,” came the reply.")
        #expect(q.speaker == nil && q.speakerStart == nil)
    }
}
