/// Evaluation metrics.
public enum Metrics {
    /// ROC-AUC: the probability that a random positive outscores a random negative (ties count
    /// half), computed from ranks (Mann-Whitney U). NaN when a class is missing.
    public static func auc(scores: [Double], positives: [Bool]) -> Double {
        precondition(scores.count == positives.count)
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let r = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = r }
            i = j + 1
        }
        let nPos = Double(positives.filter { $0 }.count)
        let nNeg = Double(positives.count) - nPos
        guard nPos > 0, nNeg > 0 else { return .nan }
        var sum = 0.0
        for (r, p) in zip(ranks, positives) where p { sum += r }
        return (sum - nPos * (nPos + 1) / 2) / (nPos * nNeg)
    }

    /// Pearson's correlation coefficient. NaN when either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        let n = Double(x.count)
        guard n > 1 else { return .nan }
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }
}
