import RhetorText

/// Why one output scored what it did: signed contributions that add up, with the bias, to the logit.
public struct OutputExplanation: Sendable {
    /// One signed contribution to the logit.
    public struct Contribution: Sendable {
        /// `term` (a lexicon term after rules), `rule` (a statement-level rule) or `ngram` (hashed
        /// word, bigram and character n-gram weights of one token or token pair).
        public var kind: String
        /// The lexicon term, the rule's name, or the text of the token(s).
        public var label: String
        /// The dense feature it went through (nil for n-grams).
        public var feature: String?
        public var charStart: Int?
        public var charEnd: Int?
        public var rules: [String]
        public var contribution: Float
    }

    public var output: String
    public var logit: Float
    public var bias: Float
    public var score: Float
    /// Sorted by decreasing magnitude; ties in text order.
    public var contributions: [Contribution]
}

extension LinearModel {
    /// Explains every output of one statement.
    ///
    /// Each lexicon term's share of a dense feature times that feature's weight is its
    /// contribution; statement-level rules likewise; hashed features are grouped by the token (or
    /// token pair, for bigrams) they came from. The sum of all contributions plus the bias equals
    /// the logit up to float rounding.
    public func explain(_ text: String) -> [OutputExplanation] {
        let fv = extractor.extract(text, explain: true)
        let scalars = Array(text.unicodeScalars)
        let k = weights.outputs
        var result: [OutputExplanation] = []
        for o in 0..<k {
            var parts: [OutputExplanation.Contribution] = []
            for e in fv.evidence {
                let c = e.value * weights.dense[e.feature.rawValue * k + o]
                guard c != 0 else { continue }
                parts.append(.init(kind: e.charStart == nil ? "rule" : "term", label: e.term, feature: e.feature.name,
                                   charStart: e.charStart, charEnd: e.charEnd, rules: e.rules, contribution: c))
            }
            var groups: [Int64: (Int32, Int32, Float)] = [:]
            var order: [Int64] = []
            for h in fv.hashed {
                let key = Int64(h.charStart) << 32 | Int64(h.charEnd)
                let c = h.value * weights.hashedWeight(at: Int(h.bucket) * k + o)
                if groups[key] == nil { order.append(key); groups[key] = (h.charStart, h.charEnd, 0) }
                groups[key]!.2 += c
            }
            for key in order {
                let (a, b, c) = groups[key]!
                guard c != 0 else { continue }
                let lo = max(0, min(Int(a), scalars.count)), hi = max(lo, min(Int(b), scalars.count))
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[lo..<hi])
                parts.append(.init(kind: "ngram", label: String(s), feature: nil, charStart: Int(a), charEnd: Int(b), rules: [], contribution: c))
            }
            let logit = parts.reduce(weights.bias[o]) { $0 + $1.contribution }
            let sorted = parts.enumerated().sorted { x, y in
                abs(x.element.contribution) != abs(y.element.contribution)
                    ? abs(x.element.contribution) > abs(y.element.contribution) : x.offset < y.offset
            }.map(\.element)
            result.append(OutputExplanation(output: manifest.outputs[o].name, logit: logit, bias: weights.bias[o],
                                            score: link(logit, output: o), contributions: sorted))
        }
        return result
    }
}
