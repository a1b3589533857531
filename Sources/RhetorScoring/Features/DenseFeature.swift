/// The dense block of lexicon and rule features, in column order.
///
/// Lexicon sums are divided by `sqrt(max(1, lexical tokens))` so a long paragraph does not score
/// hostile just for being long; each term's share of a sum stays additive, which is what lets
/// explanations add up to the logit.
public enum DenseFeature: Int, CaseIterable, Sendable {
    case threat, insult, contempt, accusation, aggression, profanity
    /// Hostility terms inside a negation scope ("not stupid").
    case negatedHostility
    /// Sum of booster weights after rules (positive).
    case booster
    /// Sum of hedge weights after rules (negative).
    case hedge
    /// Sum of positive valence after rules.
    case positive
    /// Sum of negative valence after rules.
    case negative
    /// VADER's compound score: normalize(sum of valence + emphasis), in (-1, 1).
    case compound
    /// Exclamation marks, capped, times VADER's step.
    case exclamation
    /// Question marks, capped, times VADER's step.
    case question
    /// Lexicon words in ALL CAPS within mixed-case text.
    case allCaps
    /// log(1 + lexical tokens).
    case logLength
    /// Negators in the statement.
    case negators

    /// The number of dense features.
    public static let count = allCases.count

    /// The name used in model dumps and explanations.
    public var name: String {
        switch self {
        case .threat, .insult, .contempt, .accusation, .aggression, .profanity: "hostility.\(self)"
        case .negatedHostility: "hostility.negated"
        case .booster: "certainty.booster"
        case .hedge: "certainty.hedge"
        case .positive: "valence.positive"
        case .negative: "valence.negative"
        case .compound: "valence.compound"
        case .exclamation: "emphasis.exclamation"
        case .question: "emphasis.question"
        case .allCaps: "emphasis.allcaps"
        case .logLength: "length.log"
        case .negators: "negation.count"
        }
    }

    /// The feature a hostility category sums into.
    public static func hostility(_ c: HostilityCategory) -> DenseFeature {
        DenseFeature(rawValue: c.rawValue)!
    }
}
