import Testing
@testable import RhetorText

@Suite struct HashSet64Tests {
    /// Against Swift's Set on random keys (with collisions in the low bits and the key 0).
    @Test func agreesWithSet() {
        var rng = SplitMix64(seed: 5)
        for round in 0..<50 {
            let n = Int(rng.next() % 300)
            var mine = HashSet64(capacity: n)
            var reference = Set<UInt64>()
            for _ in 0..<n {
                let k = round % 2 == 0 ? rng.next() : (rng.next() % 64) << 20 | (rng.next() % 3)
                mine.insert(k)
                reference.insert(k)
            }
            for _ in 0..<500 {
                let probe = rng.next() % 2 == 0 ? (reference.randomElement(using: &rng) ?? 0) : rng.next() % 1024
                #expect(mine.contains(probe) == reference.contains(probe))
            }
        }
    }
}
