import RhetorText
import Foundation

/// Student's t distribution: CDF through the regularized incomplete beta function, quantile by
/// bisection on the CDF.
public enum StudentT {
    /// P(T <= t) for `df` degrees of freedom.
    public static func cdf(_ t: Double, degreesOfFreedom df: Double) -> Double {
        let x = df / (df + t * t)
        let tail = 0.5 * IncompleteBeta.regularized(x, a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T <= t) = p.
    public static func quantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p > 0 && p < 1)
        var lo = -1e3, hi = 1e3
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, degreesOfFreedom: df) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return (lo + hi) / 2
    }
}

/// The regularized incomplete beta function I_x(a, b) (Numerical Recipes, 3rd ed., §6.4:
/// continued fraction by the modified Lentz method).
public enum IncompleteBeta {
    public static func regularized(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnPowers: Double = a * log(x) + b * log(1 - x)
        let lnFront = lnBeta + lnPowers
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * continuedFraction(x, a, b) / a
        }
        return 1 - exp(lnFront) * continuedFraction(1 - x, b, a) / b
    }

    static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return h
    }
}

/// The comparison of two groups of observations.
public struct Comparison: Sendable {
    public struct Side: Sendable {
        public var label: String
        public var n: Int
        public var mean: Double
        public var sd: Double
    }

    public var a: Side
    public var b: Side
    /// mean(a) - mean(b).
    public var difference: Double
    /// Welch's 95 % confidence interval for the difference.
    public var ciLow: Double
    public var ciHigh: Double
    /// Two-sided permutation-test p-value: (count of |permuted difference| >= |observed| + 1) / (permutations + 1).
    public var pValue: Double
    /// Cohen's d with the pooled standard deviation.
    public var effectSize: Double
    public var permutations: Int
    public var degreesOfFreedom: Double

    /// Compares `x` (side a) with `y` (side b). Deterministic for a given `seed`.
    public static func of(_ x: [Double], _ y: [Double], labels: (String, String), permutations: Int = 10_000, seed: UInt64 = 20_161_108) -> Comparison? {
        guard x.count >= 2, y.count >= 2 else { return nil }
        func meanVar(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            let s = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)
            return (m, s)
        }
        let (ma, va) = meanVar(x)
        let (mb, vb) = meanVar(y)
        let na = Double(x.count), nb = Double(y.count)
        let diff = ma - mb
        let se = (va / na + vb / nb).squareRoot()
        // Welch-Satterthwaite degrees of freedom.
        let qa: Double = va / na, qb: Double = vb / nb
        let dfDen: Double = qa * qa / (na - 1) + qb * qb / (nb - 1)
        let df: Double = se == 0 || dfDen == 0 ? na + nb - 2 : (qa + qb) * (qa + qb) / dfDen
        let t = StudentT.quantile(0.975, degreesOfFreedom: max(1, df))
        let pooled = (((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)).squareRoot()
        // Permutation test on the difference of means (sums suffice: the total is fixed).
        var all = x + y
        var rng = SplitMix64(seed: seed)
        let total = all.reduce(0, +)
        var extreme = 0
        let observed = abs(diff) - 1e-12
        for _ in 0..<permutations {
            // Partial Fisher-Yates: draw side a.
            var sumA = 0.0
            for i in 0..<x.count {
                let j = i + Int(rng.next() % UInt64(all.count - i))
                all.swapAt(i, j)
                sumA += all[i]
            }
            let d = sumA / na - (total - sumA) / nb
            if abs(d) >= observed { extreme += 1 }
        }
        return Comparison(
            a: Side(label: labels.0, n: x.count, mean: ma, sd: va.squareRoot()),
            b: Side(label: labels.1, n: y.count, mean: mb, sd: vb.squareRoot()),
            difference: diff, ciLow: diff - t * se, ciHigh: diff + t * se,
            pValue: Double(extreme + 1) / Double(permutations + 1),
            effectSize: pooled > 0 ? diff / pooled : 0, permutations: permutations, degreesOfFreedom: df)
    }
}
