import Testing
@testable import RhetorText

/// Test vectors, computed independently by the Python implementation in
/// scripts/derive_lexicons.py and printed in models/README.md. A change here is a model format change.
@Suite struct TermHashTests {
    @Test func termVectors() {
        #expect(TermHash.term([UInt8]()) == 0xefd0_1f60_ba99_2926)
        #expect(TermHash.term(Array("a".utf8)) == 0x82a2_a958_a9be_ce5b)
        #expect(TermHash.term(Array("ridiculous".utf8)) == 0x20cc_7c69_9f09_c296)
    }

    @Test func phraseVector() {
        #expect(TermHash.combine(TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8))) == 0xe029_cd0f_fe78_d497)
        #expect(TermHash.phrase([TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8))]) == 0xe029_cd0f_fe78_d497)
    }

    @Test func bucketVector() {
        let b = TermHash.bucket(namespace: TermHash.term(Array("w".utf8)), TermHash.term(Array("ridiculous".utf8)),
                                seed: 0x5248_4554_4f52_0001, mask: (1 << 18) - 1)
        #expect(b == 121_890)
    }

    @Test func ngramVectors() {
        #expect(TermHash.ngramKey(Array("<ri".utf8)) == 0x0300_0000_0069_723c)
        let c = TermHash.term(Array("c".utf8)), seed: UInt64 = 0x5248_4554_4f52_0001, mask: UInt64 = (1 << 18) - 1
        #expect(TermHash.bucket(namespace: c, TermHash.ngramKey(Array("<ri".utf8)), seed: seed, mask: mask) == 152_802)
        #expect(TermHash.bucket(namespace: c, TermHash.ngramKey(Array("ridic".utf8)), seed: seed, mask: mask) == 254_027)
        #expect(TermHash.bucket(namespace: c, TermHash.ngramKey(Array("ous>".utf8)), seed: seed, mask: mask) == 12_166)
    }

    @Test func tokenHashIsTermHashOfNormalizedBytes() {
        #expect(Tokenizer().tokenize("RIDICULOUS")[0].hash == 0x20cc_7c69_9f09_c296)
    }

    @Test func normalizationFoldsCaseAndCurlyApostrophes() {
        #expect(Normalizer.normalize(Array("DON’T".utf8)) == Array("don't".utf8))
        #expect(TermHash.term("Über") != TermHash.term("über"), "only ASCII is case-folded")
    }
}
