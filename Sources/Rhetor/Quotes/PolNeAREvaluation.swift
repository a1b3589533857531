import Foundation
import RhetorQuotes
import RhetorScoring

/// Scores quote extraction and speaker attribution against PolNeAR's gold attributions.
///
/// - A gold *direct quote* is an attribution whose Content contains a quotation mark. Its quoted
///   part is the text between the marks inside the Content (the whole Content when the marks do
///   not pair up), since the Content of a partial quote also holds the paraphrase around it.
/// - Recall: a gold direct quote is found when one predicted quote overlaps at least half of its
///   quoted part.
/// - Precision: a predicted quote is right when at least half of it lies inside the Content of a
///   gold direct quote.
/// - Speaker accuracy, over found quotes that have a gold Source: right when the predicted mention
///   overlaps the gold Source, or the predicted canonical name shares its last word with the
///   Source text (the same person named differently).
public struct PolNeAREvaluation {
    public struct Span: Sendable {
        public var ranges: [Range<Int>]
        public var text: String
        public var lower: Int { ranges.map(\.lowerBound).min() ?? 0 }
        public var upper: Int { ranges.map(\.upperBound).max() ?? 0 }
    }

    public struct GoldQuote: Sendable {
        public var content: Span
        public var quoted: [Range<Int>]
        public var source: Span?
    }

    public struct Result: Sendable {
        public var articles = 0
        public var gold = 0
        public var found = 0
        public var predicted = 0
        public var correct = 0
        public var withSource = 0
        public var speakerRight = 0
        public var fragmentsPredicted = 0
        public var fragmentsCorrect = 0
        public var recall: Double { Double(found) / Double(max(1, gold)) }
        public var precision: Double { Double(correct) / Double(max(1, predicted)) }
        public var speakerAccuracy: Double { Double(speakerRight) / Double(max(1, withSource)) }
        /// Precision over direct and partial quotes only (fragments left out).
        public var statementPrecision: Double { Double(correct - fragmentsCorrect) / Double(max(1, predicted - fragmentsPredicted)) }
    }

    static let quoteMarks: Set<Character> = ["“", "”", "\"", "«", "»", "„"]

    /// Reads the gold direct quotes of one `.ann` file against its article text.
    public static func gold(ann: String, text: String) -> [GoldQuote] {
        let scalars = Array(text.unicodeScalars)
        var spans: [String: (String, Span)] = [:]
        var events: [[String: String]] = []
        for line in ann.split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else { continue }
            if parts[0].hasPrefix("T") {
                let head = parts[1].split(separator: " ", maxSplits: 1).map(String.init)
                guard head.count == 2 else { continue }
                var ranges: [Range<Int>] = []
                for piece in head[1].split(separator: ";") {
                    let ab = piece.split(separator: " ").compactMap { Int($0) }
                    if ab.count == 2, ab[0] <= ab[1], ab[1] <= scalars.count { ranges.append(ab[0]..<ab[1]) }
                }
                spans[parts[0]] = (head[0], Span(ranges: ranges, text: parts.count > 2 ? parts[2] : ""))
            } else if parts[0].hasPrefix("E") {
                var roles: [String: String] = [:]
                for r in parts[1].split(separator: " ") {
                    let kv = r.split(separator: ":")
                    if kv.count == 2 { roles[String(kv[0])] = String(kv[1]) }
                }
                events.append(roles)
            }
        }
        var out: [GoldQuote] = []
        for e in events {
            guard let cid = e["Content"], let content = spans[cid]?.1, !content.ranges.isEmpty else { continue }
            // The content's own characters, read from the article (the .ann text may be elided).
            var marks: [Int] = []
            for r in content.ranges {
                var k = r.lowerBound
                while k < r.upperBound {
                    if scalars[k] == "'", k + 1 < r.upperBound, scalars[k + 1] == "'" {
                        // '' is one double mark: the quote runs between the pairs.
                        marks.append(marks.count % 2 == 0 ? k + 1 : k)
                        k += 2
                        continue
                    }
                    if quoteMarks.contains(Character(scalars[k])) { marks.append(k) }
                    k += 1
                }
            }
            guard !marks.isEmpty else { continue }
            var quoted: [Range<Int>] = []
            var k = 0
            while k + 1 < marks.count {
                if marks[k + 1] > marks[k] + 1 { quoted.append((marks[k] + 1)..<marks[k + 1]) }
                k += 2
            }
            if quoted.isEmpty { quoted = content.ranges }
            out.append(GoldQuote(content: content, quoted: quoted, source: e["Source"].flatMap { spans[$0]?.1 }))
        }
        return out
    }

    static func overlap(_ a: Range<Int>, _ b: Range<Int>) -> Int {
        max(0, min(a.upperBound, b.upperBound) - max(a.lowerBound, b.lowerBound))
    }

    /// Adds one article's figures to `result`.
    public static func score(predicted: [ExtractedQuote], gold: [GoldQuote], into result: inout Result) {
        result.articles += 1
        result.gold += gold.count
        for p in predicted {
            let pr = p.start..<p.end
            let inside = gold.contains { g in g.content.ranges.reduce(0) { $0 + overlap(pr, $1) } * 2 >= pr.count }
            if p.kind == .fragment {
                result.fragmentsPredicted += 1
                if inside { result.fragmentsCorrect += 1 }
            }
            result.predicted += 1
            if inside { result.correct += 1 }
        }
        for g in gold {
            let need = g.quoted.reduce(0) { $0 + $1.count }
            guard let match = predicted.max(by: { a, b in
                g.quoted.reduce(0) { $0 + overlap(a.start..<a.end, $1) } < g.quoted.reduce(0) { $0 + overlap(b.start..<b.end, $1) }
            }), g.quoted.reduce(0, { $0 + overlap(match.start..<match.end, $1) }) * 2 >= need else { continue }
            result.found += 1
            guard let source = g.source, !source.ranges.isEmpty else { continue }
            result.withSource += 1
            if let a = match.speakerStart, let b = match.speakerEnd, source.ranges.contains(where: { overlap(a..<b, $0) > 0 }) {
                result.speakerRight += 1
            } else if let name = match.speaker, let last = name.split(separator: " ").last?.lowercased() {
                let words = source.text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init)
                if words.contains(String(last)) { result.speakerRight += 1 }
            }
        }
    }

    /// Evaluates an extractor on a PolNeAR split directory (`text/`, `attributions/`), one
    /// annotation per article (the first annotator's file in name order).
    public static func run(extractor: QuoteExtractor, splitDirectory: URL) throws -> Result {
        let fm = FileManager.default
        let annDir = splitDirectory.appendingPathComponent("attributions")
        let textDir = splitDirectory.appendingPathComponent("text")
        let anns = try fm.contentsOfDirectory(atPath: annDir.path).filter { $0.hasSuffix(".ann") }.sorted()
        var seen = Set<String>()
        var result = Result()
        for ann in anns {
            // File names are <article>_<annotator>.ann.
            guard let us = ann.lastIndex(of: "_") else { continue }
            let article = String(ann[..<us])
            guard !seen.contains(article) else { continue }
            seen.insert(article)
            guard let text = try? String(contentsOf: textDir.appendingPathComponent(article + ".txt"), encoding: .utf8),
                  let annText = try? String(contentsOf: annDir.appendingPathComponent(ann), encoding: .utf8) else { continue }
            score(predicted: extractor.extract(text), gold: gold(ann: annText, text: text), into: &result)
        }
        return result
    }
}
