/// Mergeable sufficient statistics of weighted observations, in exact integer arithmetic.
///
/// Values are fixed-point with `Moments.scale` units per 1.0 (scores are stored with 4 decimals),
/// weights are integers (1, or a quote's length in characters). Sums are integers, so moments
/// computed on shards and merged equal the moments of the whole, bit for bit, in any order.
public struct Moments: Sendable, Equatable {
    /// Fixed-point units per 1.0: scores carry 4 decimals.
    public static let scale: Int64 = 10_000

    public var n: Int64 = 0
    public var sumW: Int64 = 0
    public var sumW2: Int64 = 0
    /// Σ w·x in fixed-point units.
    public var sumWX: Int64 = 0
    /// Σ w·x² in fixed-point units squared.
    public var sumWX2: Int128 = 0

    public init() {}

    /// Adds one observation (`value` is rounded to 4 decimals).
    public mutating func add(_ value: Double, weight: Int64 = 1) {
        let x = Self.fixed(value)
        n += 1
        sumW += weight
        sumW2 += weight * weight
        sumWX += weight * x
        sumWX2 += Int128(weight) * Int128(x) * Int128(x)
    }

    public static func fixed(_ v: Double) -> Int64 { Int64((v * Double(scale)).rounded()) }

    /// The moments of two disjoint sets of observations together.
    public func merged(with o: Moments) -> Moments {
        var m = self
        m.n += o.n
        m.sumW += o.sumW
        m.sumW2 += o.sumW2
        m.sumWX += o.sumWX
        m.sumWX2 += o.sumWX2
        return m
    }

    /// The weighted mean.
    public var mean: Double { sumW == 0 ? .nan : Double(sumWX) / Double(sumW) / Double(Self.scale) }

    /// Kish's effective sample size, (Σw)² / Σw² (equals n for unit weights).
    public var effectiveN: Double { sumW2 == 0 ? 0 : Double(sumW) * Double(sumW) / Double(sumW2) }

    /// The unbiased weighted variance (reliability weights): Σw(x-m)² / (Σw - Σw²/Σw).
    public var variance: Double {
        guard sumW > 0 else { return .nan }
        let w = Double(sumW)
        // Σw(x-m)² = Σwx² - (Σwx)²/Σw, computed from the exact integers.
        let num = Double(sumWX2 * Int128(sumW) - Int128(sumWX) * Int128(sumWX)) / w / Double(Self.scale * Self.scale)
        let den = w - Double(sumW2) / w
        return den > 0 ? max(0, num / den) : .nan
    }

    /// The standard error of the mean.
    public var standardError: Double { (variance / effectiveN).squareRoot() }

    /// A two-sided confidence interval for the mean from Student's t with effective n - 1
    /// degrees of freedom; nil with fewer than 2 observations.
    public func confidenceInterval(level: Double = 0.95) -> (low: Double, high: Double)? {
        guard n >= 2, effectiveN > 1, variance.isFinite else { return nil }
        let t = StudentT.quantile(0.5 + level / 2, degreesOfFreedom: effectiveN - 1)
        let half = t * standardError
        return (mean - half, mean + half)
    }
}
