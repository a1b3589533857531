import Testing
@testable import RhetorText

/// Test vectors, printed in models/README.md: `term` and `combine` computed independently by the
/// Python implementation in scripts/derive_lexicons.py, `bucket` and `pairKey` by the card's
/// formulas in Python. A change here is a model format change.
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

    @Test func bucketVectors() {
        let seed: UInt64 = 0x5248_4554_4f52_0001
        let w = TermHash.term(Array("w".utf8)), b = TermHash.term(Array("b".utf8))
        #expect(TermHash.bucket(TermHash.term(Array("ridiculous".utf8)) ^ w ^ seed, bits: 18) == 134_472)
        let pair = TermHash.pairKey(TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8)))
        #expect(pair == 0xfc12_7ef1_f478_1e76)
        #expect(TermHash.bucket(pair ^ b ^ seed, bits: 18) == 138_520)
        // The top bits of the product: every bit count takes a prefix of the same product.
        #expect(TermHash.bucket(pair ^ b ^ seed, bits: 17) == 138_520 >> 1)
        #expect(TermHash.bucket(UInt64.max, bits: 63) == Int((UInt64.max &* 0xff51_afd7_ed55_8ccd) >> 1))
    }

    @Test func ngramVectors() {
        #expect(TermHash.ngramKey(Array("<ri".utf8)) == 0x0300_0000_0069_723c)
        let c = TermHash.term(Array("c".utf8)), seed: UInt64 = 0x5248_4554_4f52_0001
        #expect(TermHash.bucket(TermHash.ngramKey(Array("<ri".utf8)) ^ c ^ seed, bits: 18) == 83_931)
        #expect(TermHash.bucket(TermHash.ngramKey(Array("ridic".utf8)) ^ c ^ seed, bits: 18) == 50_844)
        #expect(TermHash.bucket(TermHash.ngramKey(Array("ous>".utf8)) ^ c ^ seed, bits: 18) == 114_179)
    }

    @Test func tokenHashIsTermHashOfNormalizedBytes() {
        #expect(Tokenizer().tokenize("RIDICULOUS")[0].hash == 0x20cc_7c69_9f09_c296)
    }

    @Test func normalizationFoldsCaseAndCurlyApostrophes() {
        #expect(Normalizer.normalize(Array("DON’T".utf8)) == Array("don't".utf8))
        #expect(TermHash.term("Über") != TermHash.term("über"), "only ASCII is case-folded")
    }
}
