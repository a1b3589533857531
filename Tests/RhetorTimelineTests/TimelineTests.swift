import Foundation
import RhetorText
import Testing
@testable import RhetorTimeline

@Suite struct PeriodTests {
    func d(_ s: String) -> PlainDate { PlainDate(s)! }

    @Test func parsingIsStrictAndTimeZoneFree() {
        #expect(PlainDate("2016-02-29") != nil)
        #expect(PlainDate("2015-02-29") == nil)
        #expect(PlainDate("2016-13-01") == nil)
        #expect(PlainDate("2016-9-1") == nil)
        #expect(PlainDate("") == nil)
        // A timestamp keeps its written date; no zone conversion moves it to another day.
        #expect(PlainDate("2016-09-12T23:30:00-05:00") == d("2016-09-12"))
        #expect(PlainDate("2016-09-12x") == nil)
    }

    @Test func julianDaysRoundTrip() {
        for s in ["1970-01-01", "2000-02-29", "2016-12-31", "2024-04-04", "1999-12-31"] {
            #expect(PlainDate(julianDay: d(s).julianDay) == d(s))
        }
        #expect(d("2000-01-01").julianDay == 2_451_545)
    }

    @Test func weeksStartOnMonday() {
        #expect(d("2016-01-04").weekday == 0)  // a Monday
        #expect(d("2016-01-03").weekday == 6)  // a Sunday
        let w = Period.week
        #expect(w.index(of: d("2016-01-03")) == w.index(of: d("2015-12-28")))
        #expect(w.index(of: d("2016-01-04")) == w.index(of: d("2016-01-03")) + 1)
        #expect(w.label(of: w.index(of: d("2016-01-10"))) == "2016-01-04")
    }

    @Test func monthQuarterYearBoundaries() {
        #expect(Period.month.label(of: Period.month.index(of: d("2016-01-31"))) == "2016-01")
        #expect(Period.month.index(of: d("2016-02-01")) == Period.month.index(of: d("2016-01-31")) + 1)
        #expect(Period.month.index(of: d("2017-01-01")) == Period.month.index(of: d("2016-12-31")) + 1)
        #expect(Period.quarter.label(of: Period.quarter.index(of: d("2016-03-31"))) == "2016-Q1")
        #expect(Period.quarter.label(of: Period.quarter.index(of: d("2016-04-01"))) == "2016-Q2")
        #expect(Period.year.label(of: Period.year.index(of: d("2016-12-31"))) == "2016")
        #expect(Period.day.label(of: Period.day.index(of: d("2016-02-29"))) == "2016-02-29")
        #expect(Period.month.start(of: Period.month.index(of: d("2016-02-17"))) == d("2016-02-01"))
    }
}

@Suite struct StatisticsTests {
    @Test func studentTQuantilesMatchTables() {
        // Two-sided 95 % critical values from standard t tables.
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - 12.706) < 1e-3)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 10) - 2.228) < 1e-3)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1000) - 1.962) < 1e-3)
        #expect(abs(StudentT.cdf(0, degreesOfFreedom: 5) - 0.5) < 1e-12)
    }

    @Test func momentsMergeExactly() {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<5000).map { _ in Double.random(in: 0...1, using: &rng) }
        let weights = (0..<5000).map { _ in Int64.random(in: 1...400, using: &rng) }
        var whole = Moments()
        var a = Moments(), b = Moments(), c = Moments()
        for (i, (v, w)) in zip(values, weights).enumerated() {
            whole.add(v, weight: w)
            if i % 3 == 0 { a.add(v, weight: w) } else if i % 3 == 1 { b.add(v, weight: w) } else { c.add(v, weight: w) }
        }
        #expect(a.merged(with: b).merged(with: c) == whole)
        #expect(c.merged(with: a).merged(with: b) == whole)
        #expect(a.merged(with: b).merged(with: c).mean == whole.mean)
    }

    @Test func meanAndVarianceOfKnownData() {
        var m = Moments()
        for v in [0.1, 0.2, 0.3, 0.4] { m.add(v) }
        #expect(abs(m.mean - 0.25) < 1e-12)
        #expect(abs(m.variance - 0.016666666666666666) < 1e-12)
        #expect(m.effectiveN == 4)
        var one = Moments()
        one.add(0.5)
        #expect(one.confidenceInterval() == nil)
    }

    /// About 95 % of 95 % intervals cover the true mean on simulated normal data.
    @Test func intervalCoverageOnSimulatedData() {
        var rng = SeededRNG(seed: 7)
        var covered = 0
        let runs = 2000
        for _ in 0..<runs {
            var m = Moments()
            for _ in 0..<20 { m.add(0.4 + 0.1 * rng.normal()) }
            if let ci = m.confidenceInterval(), ci.low <= 0.4, 0.4 <= ci.high { covered += 1 }
        }
        let rate = Double(covered) / Double(runs)
        #expect(rate > 0.935 && rate < 0.965, "coverage \(rate)")
    }

    @Test func permutationTestSeparatesShiftedGroups() throws {
        var rng = SeededRNG(seed: 3)
        let a = (0..<80).map { _ in 0.5 + 0.1 * rng.normal() }
        let same = (0..<80).map { _ in 0.5 + 0.1 * rng.normal() }
        let shifted = (0..<80).map { _ in 0.58 + 0.1 * rng.normal() }
        let null = try #require(Comparison.of(a, same, labels: ("a", "b"), permutations: 2000))
        let alt = try #require(Comparison.of(a, shifted, labels: ("a", "b"), permutations: 2000))
        #expect(null.pValue > 0.05)
        #expect(alt.pValue < 0.01)
        #expect(alt.ciHigh < 0 && alt.effectSize < -0.5)
        #expect(null.ciLow < 0 && null.ciHigh > 0)
        // Deterministic for a given seed.
        #expect(Comparison.of(a, shifted, labels: ("a", "b"), permutations: 2000)!.pValue == alt.pValue)
        #expect(Comparison.of([0.1], [0.2, 0.3], labels: ("a", "b")) == nil)
    }
}

@Suite struct AggregateTests {
    func observations() -> [Observation] {
        var rng = SeededRNG(seed: 11)
        var out: [Observation] = []
        let start = PlainDate("2016-01-01")!.julianDay
        for i in 0..<3000 {
            let speaker = ["Ana Ruiz", "Tom Okafor", "Lee Chan"][i % 3]
            out.append(Observation(speaker: speaker, date: PlainDate(julianDay: start + Int(rng.next() % 366)), value: Double(rng.next() % 10_000) / 10_000, length: Int(rng.next() % 300) + 1))
        }
        return out
    }

    @Test func shardedAndWholeGiveTheSameTimeline() {
        let all = observations()
        for period in Period.allCases {
            for byLength in [false, true] {
                var whole = TimelineAggregate(period: period, weightByLength: byLength)
                whole.add(all)
                var a = TimelineAggregate(period: period, weightByLength: byLength)
                var b = TimelineAggregate(period: period, weightByLength: byLength)
                a.add(all.prefix(1234))
                b.add(all.dropFirst(1234))
                #expect(b.merged(with: a) == whole)
                #expect(a.merged(with: b).points(rolling: 3, minN: 2) == whole.points(rolling: 3, minN: 2))
            }
        }
    }

    @Test func rollingMinNAndOrder() {
        var agg = TimelineAggregate(period: .month, weightByLength: false)
        let obs = [("B", "2016-01-10", 0.2), ("B", "2016-03-01", 0.4), ("A", "2016-01-05", 0.1), ("A", "2016-01-06", 0.3)]
        agg.add(obs.map { Observation(speaker: $0.0, date: PlainDate($0.1)!, value: $0.2, length: 10) })
        let plain = agg.points(order: ["B", "A"])
        #expect(plain.map(\.speaker) == ["B", "B", "A"])
        #expect(plain.map(\.period) == ["2016-01", "2016-03", "2016-01"])
        let rolled = agg.points(rolling: 2, order: ["B", "A"])
        // February has no quotes of its own but its window holds January's.
        #expect(rolled.filter { $0.speaker == "B" }.map(\.period) == ["2016-01", "2016-02", "2016-03"])
        #expect(rolled.first { $0.speaker == "B" && $0.period == "2016-03" }?.n == 1)
        #expect(agg.points(minN: 2).map(\.speaker) == ["A"])
    }
}

/// A seeded generator with a Box-Muller normal, for simulations.
struct SeededRNG: RandomNumberGenerator {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func normal() -> Double {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
