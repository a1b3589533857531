import Foundation
import Testing
@testable import RhetorScoring

/// Guards the default model's quality on the dev and test parts of ../shared/data; skips when the
/// data is absent (a user's clone). Floors sit just under the figures in models/README.md.
@Suite struct EvaluationTests {
    static let floors: [String: Double] = [
        "hostility.mupid.dev": 0.77, "hostility.olid.dev": 0.82, "hostility.semeval23.dev": 0.77,
        "hostility.theocharis.test": 0.80,
        "certainty.pei.test": 0.49, "certainty.weasel.dev": 0.80,
        "valence.vader-nyt.dev": 0.54, "valence.vader-tweets.dev": 0.88,
    ]

    @Test(.enabled(if: Repo.hasShared, "needs ../shared/data"))
    func defaultModelStaysAboveItsMeasuredLevel() throws {
        let model = try Repo.defaultModel()
        let data = SharedData(root: Repo.shared.appendingPathComponent("data"))
        let sets = try data.hostility() + data.certainty() + data.valence()
        let metrics = Trainer.evaluate(model: model, sets: sets)
        var seen = Set<String>()
        for m in metrics {
            let key = "\(m.output).\(m.set).\(m.split.rawValue)"
            seen.insert(key)
            if let floor = Self.floors[key] {
                #expect(m.value >= floor, "\(key) \(m.metric) \(m.value) fell below \(floor)")
            }
            // The manifest records the same figures the evaluation gives now.
            if let recorded = model.manifest.metrics["\(key).\(m.metric)"] {
                #expect(abs(recorded - m.value) < 1e-3, "\(key): manifest \(recorded), now \(m.value)")
            }
        }
        #expect(seen.isSuperset(of: Self.floors.keys))
    }
}
