import Testing
@testable import RhetorText

@Suite struct CSVParserTests {
    @Test func quotedFieldsWithCommasQuotesAndNewlines() {
        let csv = "id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\nthere\"\n3,plain\r\n"
        let r = CSVParser().parse(Array(csv.utf8))
        #expect(r.map(\.fields) == [["id", "text"], ["1", "a, b"], ["2", "say \"hi\"\nthere"], ["3", "plain"]])
        #expect(r.map(\.line) == [1, 2, 3, 5])
    }

    @Test func unterminatedQuoteIsReportedIncomplete() {
        let r = CSVParser().parse(Array("id,text\n1,\"open".utf8))
        #expect(r.count == 2 && r[1].complete == false)
    }
}
