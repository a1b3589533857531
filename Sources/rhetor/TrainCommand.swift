import ArgumentParser
import Foundation
import Rhetor

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train the hostility, certainty and valence model from ../shared/data.")

    @Option(help: "The shared data directory (default: $RHETOR_DATA or ../shared/data).") var data: String?
    @Option(help: "The lexicon directory (default: lexicons/).") var lexicons: String?
    @Option(help: "Where to write the model.") var out: String = DataLocator.defaultModel
    @Option(help: "Model version to record.") var version: String = "1.0.0"
    @Option(help: "Training epochs.") var epochs: Int = 6
    @Option(help: "log2 of hashed feature buckets.") var bits: Int = 18

    func run() throws {
        try runOrExit {
            let dataDir = try DataLocator.dataDirectory(data)
            let lex = try LexiconSet(directory: try DataLocator.lexiconDirectory(lexicons))
            let shared = SharedData(root: dataDir)
            let sets = try shared.hostility() + shared.certainty() + shared.valence()
            var config = TrainingConfig()
            config.epochs = epochs
            config.hash.bits = bits
            let trainer = Trainer(lexicons: lex, config: config)
            var model = trainer.train(sets: sets, name: "rhetor-news", version: version, log: printError)
            let metrics = Trainer.evaluate(model: model, sets: sets)
            for m in metrics {
                model.manifest.metrics["\(m.output).\(m.set).\(m.split.rawValue).\(m.metric)"] = (m.value * 10000).rounded() / 10000
            }
            try model.save(to: URL(fileURLWithPath: out))
            print(EvalReport.table(metrics))
            printError("wrote \(out)")
            return 0
        }
    }
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a model on the dev and test parts of the labeled sets in ../shared/data.")

    @Option(help: "The shared data directory (default: $RHETOR_DATA or ../shared/data).") var data: String?
    @Option(help: "The model directory.") var model: String?
    @Option(help: "The lexicon directory.") var lexicons: String?
    @Option(help: "Only these outputs (hostility, certainty, valence).") var output: [String] = []

    func run() throws {
        try runOrExit {
            let m = try DataLocator.loadModel(model: model, lexicons: lexicons)
            let shared = SharedData(root: try DataLocator.dataDirectory(data))
            var sets: [LabeledSet] = []
            let want = Set(output.isEmpty ? ["hostility", "certainty", "valence"] : output)
            if want.contains("hostility") { sets += try shared.hostility() }
            if want.contains("certainty") { sets += try shared.certainty() }
            if want.contains("valence") { sets += try shared.valence() }
            print(EvalReport.table(Trainer.evaluate(model: m, sets: sets)))
            return 0
        }
    }
}

enum EvalReport {
    static func table(_ metrics: [SetMetric]) -> String {
        var lines = ["output     set          split  metric     value    n"]
        for m in metrics {
            lines.append(String(format: "%-10@ %-12@ %-6@ %-8@ %7.4f %5d", m.output as NSString, m.set as NSString, m.split.rawValue as NSString, m.metric as NSString, m.value, m.n))
        }
        return lines.joined(separator: "\n")
    }
}
