import Foundation
import RhetorText

/// Which split a record belongs to.
public enum Split: String, Sendable {
    case train, dev, test
}

/// The deterministic train/dev split of sets without an official one.
///
/// A record is dev when `TermHash.splitHash(utf8 of its text) % 100 < 15` (mirrored by
/// `scripts/derive_lexicons.py`, so lexicon weights never saw dev text).
public enum DataSplit {
    public static let devPercent: UInt64 = 15

    public static func bucket(_ text: String) -> UInt64 {
        TermHash.splitHash(Array(text.utf8)) % 100
    }

    public static func of(_ text: String) -> Split {
        bucket(text) < devPercent ? .dev : .train
    }
}

/// One labeled statement for one output.
public struct LabeledExample: Sendable {
    public var text: String
    /// The target in [0, 1] (soft labels allowed).
    public var target: Float
    /// The original label as a human gave it (for metrics: binary 0/1 or a rating).
    public var label: Double
    public var set: String
    public var split: Split
}

/// A named labeled set for one output, with how it counts in training and evaluation.
public struct LabeledSet: Sendable {
    public var name: String
    public var output: String
    /// `auc` for binary labels, `pearson` for ratings.
    public var metric: String
    /// Relative weight of the whole set in training (0: evaluation only).
    public var trainingWeight: Float
    public var license: String
    public var examples: [LabeledExample]
}

/// Reads the labeled sets of `../shared/data` (see its README for sources and licenses).
public struct SharedData {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    func bytes(_ relative: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(relative)
        do { return [UInt8](try Data(contentsOf: url)) } catch {
            throw DataFileError(path: url.path, line: 0, problem: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Rows of a CSV/TSV file as dictionaries keyed by the header.
    func table(_ relative: String, delimiter: UInt8 = UInt8(ascii: ","), quoting: Bool = true) throws -> [[String: String]] {
        let records = CSVParser(delimiter: delimiter, quoting: quoting).parse(try bytes(relative))
        guard let header = records.first?.fields else { return [] }
        return records.dropFirst().compactMap { r in
            guard r.fields.count == header.count else { return nil }
            return Dictionary(zip(header, r.fields), uniquingKeysWith: { a, _ in a })
        }
    }

    static func binary(_ text: String, _ positive: Bool, set: String, split: Split? = nil) -> LabeledExample {
        LabeledExample(text: text, target: positive ? 1 : 0, label: positive ? 1 : 0, set: set, split: split ?? DataSplit.of(text))
    }

    /// Hostility sets: MUPID, OLID, Davidson, SemEval-2023 persuasion (train/dev), Theocharis (eval only).
    public func hostility() throws -> [LabeledSet] {
        let h = "hostility/"
        let mupid = try table(h + "mupid-train.csv").map {
            Self.binary($0["text"]!, $0["impoliteness"] == "1" || $0["intolerance"] == "1", set: "mupid")
        }
        let olid = try table(h + "olid-training-v1.0.tsv", delimiter: UInt8(ascii: "\t"), quoting: false).map {
            Self.binary($0["tweet"]!, $0["subtask_a"] == "OFF", set: "olid")
        }
        let davidson = try table(h + "davidson/labeled_data.csv").map {
            Self.binary($0["tweet"]!, $0["class"] != "2", set: "davidson")
        }
        let semeval = try table(h + "semeval23-persuasion-train.csv").map {
            Self.binary($0["text"]!, $0["Name_Calling-Labeling"] == "1" || $0["Loaded_Language"] == "1", set: "semeval23")
        }
        let theocharis = try table(h + "theocharis/training-data.csv").map {
            Self.binary($0["text"]!, $0["uncivil"] == "yes", set: "theocharis", split: .test)
        }
        return [
            LabeledSet(name: "mupid", output: "hostility", metric: "auc", trainingWeight: 1.5, license: "MIT", examples: mupid),
            LabeledSet(name: "olid", output: "hostility", metric: "auc", trainingWeight: 1, license: "eval/research-only (weights only)", examples: olid),
            LabeledSet(name: "davidson", output: "hostility", metric: "auc", trainingWeight: 0.1, license: "MIT", examples: davidson),
            LabeledSet(name: "semeval23", output: "hostility", metric: "auc", trainingWeight: 1.5, license: "eval/research-only (weights only)", examples: semeval),
            LabeledSet(name: "theocharis", output: "hostility", metric: "auc", trainingWeight: 0, license: "GPL-3.0 (evaluation only)", examples: theocharis),
        ]
    }

    /// Certainty sets: Pei & Jurgens sentence certainty (official splits) and the weasel sentences.
    public func certainty() throws -> [LabeledSet] {
        var pei: [LabeledExample] = []
        let text = String(decoding: try bytes("certainty/pei-sentence-certainty.jsonl"), as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let finding = obj["finding"] as? String, let c = obj["sentence-level-certainty"] as? Double,
                  let s = obj["split"] as? String else { continue }
            let split: Split = s == "train" ? .train : (s == "val" ? .dev : .test)
            pei.append(LabeledExample(text: finding, target: Float((c - 1) / 5), label: c, set: "pei", split: split))
        }
        let weasel = try table("certainty/wiki-weasel-train.csv").map {
            // label 1 = uncertain (weasel/hedged); certainty target is its complement.
            Self.binary($0["text"]!.trimmingCharacters(in: .whitespacesAndNewlines), $0["label"] == "0", set: "weasel")
        }
        return [
            LabeledSet(name: "pei", output: "certainty", metric: "pearson", trainingWeight: 2, license: "MIT", examples: pei),
            LabeledSet(name: "weasel", output: "certainty", metric: "auc", trainingWeight: 1.5, license: "eval/research-only (weights only)", examples: weasel),
        ]
    }

    /// Valence sets: VADER's human-rated tweets, movie, Amazon and NYT editorial snippets.
    public func valence() throws -> [LabeledSet] {
        func vader(_ file: String, _ name: String, weight: Float) throws -> LabeledSet {
            let records = CSVParser(delimiter: UInt8(ascii: "\t"), quoting: false).parse(try bytes("valence/vader/" + file))
            let examples = records.compactMap { r -> LabeledExample? in
                guard r.fields.count >= 3, let v = Double(r.fields[1]) else { return nil }
                let text = r.fields[2...].joined(separator: "\t")
                return LabeledExample(text: text, target: Float((v / 4 + 1) / 2), label: v, set: name, split: DataSplit.of(text))
            }
            return LabeledSet(name: name, output: "valence", metric: "pearson", trainingWeight: weight, license: "MIT", examples: examples)
        }
        return [
            try vader("tweets_GroundTruth.txt", "vader-tweets", weight: 1),
            try vader("movieReviewSnippets_GroundTruth.txt", "vader-movies", weight: 1),
            try vader("amazonReviewSnippets_GroundTruth.txt", "vader-amazon", weight: 1),
            try vader("nytEditorialSnippets-dev_GroundTruth.txt", "vader-nyt", weight: 2),
        ]
    }
}
