import Foundation
import RhetorText
import Testing
@testable import RhetorScoring

@Suite struct TrainingTests {
    @Test func aucFromRanksWithTies() {
        #expect(Metrics.auc(scores: [0.1, 0.4, 0.35, 0.8], positives: [false, false, true, true]) == 0.75)
        #expect(Metrics.auc(scores: [0.5, 0.5], positives: [false, true]) == 0.5)
        #expect(Metrics.auc(scores: [1, 2], positives: [true, true]).isNaN)
    }

    @Test func pearson() {
        #expect(abs(Metrics.pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12)
        #expect(abs(Metrics.pearson([1, 2, 3], [3, 2, 1]) + 1) < 1e-12)
        #expect(Metrics.pearson([1, 1, 1], [1, 2, 3]).isNaN)
    }

    @Test func plattScalingRecoversAKnownMapping() {
        var rng = SplitMix64(seed: 3)
        var z: [Double] = []
        var y: [Double] = []
        for _ in 0..<4000 {
            let zi = Double(rng.next() % 2000) / 250 - 4
            let p = 1 / (1 + exp(-(2 * zi - 1)))
            z.append(zi)
            y.append(Double(rng.next() % 10_000) / 10_000 < p ? 1 : 0)
        }
        let (a, b) = Trainer.plattScale(logits: z, labels: y)
        #expect(abs(a - 2) < 0.25 && abs(b + 1) < 0.25)
    }

    /// A toy task (sentences written for this test): the trainer must learn which words mark the class.
    @Test func trainerLearnsASeparableToyTask() throws {
        let hostile = ["you are a disgrace", "what a pathetic liar", "they are idiots", "this is a disgrace and a joke", "pathetic cowards"]
        let calm = ["the meeting is on monday", "we discussed the budget", "the weather was mild", "talks will continue", "the report was published"]
        var examples: [LabeledExample] = []
        for (i, t) in (hostile + calm).enumerated() {
            let pos = i < hostile.count
            examples.append(LabeledExample(text: t, target: pos ? 1 : 0, label: pos ? 1 : 0, set: "toy", split: .train))
        }
        var config = TrainingConfig()
        config.hash = HashSpec(bits: 12)
        config.epochs = 30
        config.learningRate = 0.3
        let trainer = Trainer(lexicons: try Repo.lexiconSet(), config: config)
        let set = LabeledSet(name: "toy", output: "hostility", metric: "auc", trainingWeight: 1, license: "test", examples: examples)
        let model = trainer.train(sets: [set], name: "toy", version: "0", log: { _ in })
        let s = BatchScorer(model: model).score(["a pathetic disgrace", "the budget meeting"])
        #expect(s[0].values[0] > 0.7 && s[1].values[0] < 0.3)
        // Training is reproducible bit for bit.
        let again = trainer.train(sets: [set], name: "toy", version: "0", log: { _ in })
        #expect(again.weights == model.weights)
    }
}
