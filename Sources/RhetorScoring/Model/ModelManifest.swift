import Foundation

/// The JSON manifest of a model directory (`manifest.json`).
public struct ModelManifest: Codable, Sendable, Equatable {
    /// Always `rhetor-model`.
    public var format: String
    /// The manifest/weights layout version; loading rejects any other.
    public var formatVersion: Int
    public var name: String
    public var version: String
    public var outputs: [Output]
    public var features: Features
    /// Lexicon name → the version and SHA-256 of the file the model was trained with.
    public var lexicons: [String: LexiconPin]
    public var weights: WeightsInfo
    public var training: [String: String]
    /// Metric name → value, as produced by `rhetor eval` at training time.
    public var metrics: [String: Double]

    public static let currentFormat = "rhetor-model"
    /// 4: term hashes eight bytes at a time (`TermHash.term`, wyhash's mix). 3 took FNV-1a per
    /// byte and 2 also hashed buckets with `fmix64`: their weights sit in other buckets and
    /// cannot be read by this build.
    public static let currentFormatVersion = 4

    public struct Output: Codable, Sendable, Equatable {
        public var name: String
        /// `logistic` gives sigmoid(a*z+b) in [0,1]; `signed-logistic` gives 2*sigmoid(a*z+b)-1 in [-1,1].
        public var link: String
        public var calibrationA: Double
        public var calibrationB: Double
        public var description: String
    }

    public struct Features: Codable, Sendable, Equatable {
        public var dense: [String]
        public var hash: HashSpec
        public var normalization: String
    }

    public struct LexiconPin: Codable, Sendable, Equatable {
        public var version: String
        public var sha256: String
    }

    public struct WeightsInfo: Codable, Sendable, Equatable {
        public var file: String
        public var checksum: String
    }
}
