import Testing
@testable import RhetorText

/// Test vectors, printed in models/README.md, computed independently in Python from the card's
/// formulas (`term`, `combine`, `pairKey`, `bucket`, `ngramKey`). A change here is a model format
/// change.
@Suite struct TermHashTests {
    @Test func termVectors() {
        #expect(TermHash.term([UInt8]()) == 0x1ff5_c292_3a78_8d2c)
        #expect(TermHash.term(Array("a".utf8)) == 0xb353_371a_8f60_6867)
        #expect(TermHash.term(Array("ridiculous".utf8)) == 0xbbff_c6bd_39fa_02c6)
        // Exactly one and two 8-byte chunks: no zero-padded chunk follows a full one.
        #expect(TermHash.term(Array("abcdefgh".utf8)) == 0x7b7c_e7f3_970c_e6ff)
        #expect(TermHash.term(Array("abcdefghijklmnop".utf8)) == 0x73b2_7de1_fd68_758e)
    }

    /// The train/dev split keeps formats 1-3's FNV-1a term hash (scripts/derive_lexicons.py).
    @Test func splitHashIsFNV1aThenFmix64() {
        #expect(TermHash.splitHash([UInt8]()) == 0xefd0_1f60_ba99_2926)
        #expect(TermHash.splitHash(Array("a".utf8)) == 0x82a2_a958_a9be_ce5b)
        #expect(TermHash.splitHash(Array("ridiculous".utf8)) == 0x20cc_7c69_9f09_c296)
    }

    @Test func streamingHasherMatchesTerm() {
        var rng = SplitMix64(seed: 7)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var h = TermHasher()
            for b in bytes { h.append(b) }
            #expect(h.finish() == TermHash.term(bytes), "length \(length)")
        }
    }

    @Test func phraseVector() {
        #expect(TermHash.combine(TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8))) == 0x3fc0_3adf_44c4_ecc6)
        #expect(TermHash.phrase([TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8))]) == 0x3fc0_3adf_44c4_ecc6)
    }

    @Test func bucketVectors() {
        let seed: UInt64 = 0x5248_4554_4f52_0001
        let w = TermHash.term(Array("w".utf8)), b = TermHash.term(Array("b".utf8))
        #expect(TermHash.bucket(TermHash.term(Array("ridiculous".utf8)) ^ w ^ seed, bits: 18) == 233_919)
        let pair = TermHash.pairKey(TermHash.term(Array("not".utf8)), TermHash.term(Array("ruling".utf8)))
        #expect(pair == 0xb655_a195_2228_f1f7)
        #expect(TermHash.bucket(pair ^ b ^ seed, bits: 18) == 86_188)
        // The top bits of the product: every bit count takes a prefix of the same product.
        #expect(TermHash.bucket(pair ^ b ^ seed, bits: 17) == 86_188 >> 1)
        #expect(TermHash.bucket(UInt64.max, bits: 63) == Int((UInt64.max &* 0xff51_afd7_ed55_8ccd) >> 1))
    }

    @Test func ngramVectors() {
        #expect(TermHash.ngramKey(Array("<ri".utf8)) == 0x0300_0000_0069_723c)
        let c = TermHash.term(Array("c".utf8)), seed: UInt64 = 0x5248_4554_4f52_0001
        #expect(TermHash.bucket(TermHash.ngramKey(Array("<ri".utf8)) ^ c ^ seed, bits: 18) == 76_175)
        #expect(TermHash.bucket(TermHash.ngramKey(Array("ridic".utf8)) ^ c ^ seed, bits: 18) == 238_182)
        #expect(TermHash.bucket(TermHash.ngramKey(Array("ous>".utf8)) ^ c ^ seed, bits: 18) == 213_471)
    }

    @Test func tokenHashIsTermHashOfNormalizedBytes() {
        #expect(Tokenizer().tokenize("RIDICULOUS")[0].hash == 0xbbff_c6bd_39fa_02c6)
    }

    @Test func normalizationFoldsCaseAndCurlyApostrophes() {
        #expect(Normalizer.normalize(Array("DON’T".utf8)) == Array("don't".utf8))
        #expect(TermHash.term("Über") != TermHash.term("über"), "only ASCII is case-folded")
    }
}
