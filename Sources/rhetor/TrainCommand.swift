import ArgumentParser
import Foundation
import Rhetor

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train the hostility, certainty and valence model from ../shared/data.")

    @Option(help: "The shared data directory (default: $RHETOR_DATA or ../shared/data).") var data: String?
    @Option(help: "The lexicon directory (default: lexicons/).") var lexicons: String?
    @Option(help: "Where to write the model.") var out: String = DataLocator.defaultModel
    @Option(help: "Model version to record.") var version: String = "2.2.0"
    @Option(help: "Training epochs.") var epochs: Int = 6
    @Option(help: "log2 of hashed feature buckets.") var bits: Int = 18
    @Option(name: .customLong("set-weight"), help: "Override a set's training weight: NAME=WEIGHT (0 leaves it out).") var setWeights: [String] = []
    @Option(help: "AdaGrad learning rate for every output (default: per output, see the model card).") var learningRate: Float?
    @Option(help: "Learning rate of one output: OUTPUT=RATE.") var outputLearningRate: [String] = []
    @Option(help: "L2 penalty per update.") var l2: Float = TrainingConfig().l2

    func run() throws {
        try runOrExit {
            let dataDir = try DataLocator.dataDirectory(data)
            let lex = try LexiconSet(directory: try DataLocator.lexiconDirectory(lexicons))
            let shared = SharedData(root: dataDir)
            var sets = try shared.hostility() + shared.certainty() + shared.valence()
            for pair in setWeights {
                let parts = pair.split(separator: "=")
                guard parts.count == 2, let w = Float(parts[1]), let i = sets.firstIndex(where: { $0.name == parts[0] }) else {
                    throw UsageFailure("--set-weight '\(pair)' is not NAME=WEIGHT with a known set (\(sets.map(\.name).joined(separator: ", ")))")
                }
                sets[i].trainingWeight = w
            }
            var config = TrainingConfig()
            config.epochs = epochs
            config.hash.bits = bits
            if let learningRate { config.outputLearningRates = [:]; config.learningRate = learningRate }
            for pair in outputLearningRate {
                let parts = pair.split(separator: "=")
                guard parts.count == 2, let v = Float(parts[1]) else { throw UsageFailure("--output-learning-rate '\(pair)' is not OUTPUT=RATE") }
                config.outputLearningRates[String(parts[0])] = v
            }
            config.l2 = l2
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
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a model on the dev and test parts of the labeled sets in ../shared/data.")

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
            lines.append([pad(m.output, 10), pad(m.set, 12), pad(m.split.rawValue, 6), pad(m.metric, 8), String(format: "%7.4f %6d", m.value, m.n)].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
