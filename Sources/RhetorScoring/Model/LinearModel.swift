import Foundation
import RhetorText

/// The weights of a linear model over dense and hashed features, for K outputs.
///
/// Layout: `dense` is D x K row-major (feature-major, the `B` operand of `cblas_sgemm`), `hashed`
/// is 2^bits x K row-major (one bucket's K weights are adjacent, so one gather serves all outputs),
/// `bias` has K entries.
public struct ModelWeights: Sendable, Equatable {
    public var outputs: Int
    public var denseCount: Int
    public var bits: Int
    public var bias: [Float]
    public var dense: [Float]
    /// Hashed weights as the model uses them: `hashedScale[o] x code` (see `HashedTable`) once
    /// `quantizeHashed()` has run (training does; loading always yields quantized weights).
    ///
    /// Weights read from a version-3 file keep only their codes, and this array is derived from
    /// them at each read: the batch path never reads it, and deriving ~800k floats (3 MB of fresh
    /// pages) was a tenth of every start-up. Read it once into a local, not inside a loop;
    /// `hashedWeight(at:)` reads one weight without deriving the rest. Writes go to the floats in
    /// place (`hashed[i] = w` in a loop copies nothing; with only a getter and a setter each
    /// such write copied the whole array: `rhetor train` took 265 s instead of ~3 s).
    public var hashed: [Float] {
        get { fileCodes.map { Self.dequantize($0, scales: hashedScale) } ?? storedHashed }
        set { storedHashed = newValue; fileCodes = nil }
        _modify {
            dropFileCodes(scales: hashedScale)
            yield &storedHashed
        }
    }
    /// Per output, the weight of one hashed-weight code step.
    public var hashedScale: [Float] {
        didSet {
            // Codes read from a file stand for the weights they gave under the old scales, as
            // when the floats were derived at load.
            dropFileCodes(scales: oldValue)
        }
    }

    /// Before the hashed weights change: the file's codes, if they still stand for them, become
    /// the floats they gave under `scales`.
    private mutating func dropFileCodes(scales: [Float]) {
        guard let codes = fileCodes else { return }
        storedHashed = Self.dequantize(codes, scales: scales)
        fileCodes = nil
    }
    /// `hashed` when it is held as floats (empty while `fileCodes` stand for it).
    private var storedHashed: [Float]
    /// The 8-bit codes exactly as a version-3 file stored them (bucket-major, `2^bits x outputs`),
    /// so `HashedTable` need not derive them again from `hashed`; nil once `hashed` or
    /// `hashedScale` change, or for weights not read from such a file.
    public private(set) var fileCodes: [Int8]?

    /// `hashed[index]`, without deriving the whole array from the file's codes.
    @inlinable
    public func hashedWeight(at index: Int) -> Float {
        guard let codes = fileCodes else { return hashed[index] }
        return hashedScale[index % outputs] * Float(codes[index])
    }

    /// Bucket-major codes times their output's scale: the float weights the codes stand for.
    static func dequantize(_ codes: [Int8], scales: [Float]) -> [Float] {
        let outputs = scales.count, count = codes.count
        return [Float](unsafeUninitializedCapacity: count) { out, n in
            codes.withUnsafeBufferPointer { c in
                scales.withUnsafeBufferPointer { s in
                    let out = out.baseAddress!, c = c.baseAddress!, s = s.baseAddress!
                    // The scales repeated over 16 buckets: one contiguous inner loop the
                    // compiler vectorizes, where a loop over the outputs inside the bucket
                    // loop ran one weight at a time (14M instructions).
                    let span = 16 * outputs
                    let pattern = (0..<span).map { s[$0 % outputs] }
                    var i = 0
                    pattern.withUnsafeBufferPointer { p in
                        let p = p.baseAddress!
                        while i &+ span <= count {
                            for j in 0..<span { out[i &+ j] = p[j] * Float(c[i &+ j]) }
                            i &+= span
                        }
                    }
                    while i < count {
                        for o in 0..<outputs { out[i &+ o] = s[o] * Float(c[i &+ o]) }
                        i &+= outputs
                    }
                }
            }
            n = count
        }
    }

    /// Equal weights, whether or not either side still carries its file's codes.
    public static func == (a: ModelWeights, b: ModelWeights) -> Bool {
        a.outputs == b.outputs && a.denseCount == b.denseCount && a.bits == b.bits && a.bias == b.bias
            && a.dense == b.dense && a.hashed == b.hashed && a.hashedScale == b.hashedScale
    }

    public init(outputs: Int, denseCount: Int, bits: Int) {
        self.outputs = outputs
        self.denseCount = denseCount
        self.bits = bits
        bias = [Float](repeating: 0, count: outputs)
        dense = [Float](repeating: 0, count: denseCount * outputs)
        storedHashed = [Float](repeating: 0, count: (1 << bits) * outputs)
        hashedScale = [Float](repeating: 1, count: outputs)
    }

    /// Weights file: "RHTW", u32 version 3, u32 K, u32 D, u32 bits, float32 LE bias[K], dense[D*K],
    /// hashed scale[K], int8 hashed codes[2^bits*K] (weight = scale[o] x code), then u64 LE
    /// FNV-1a-64 of all preceding bytes. Version 1 (float32 hashed weights) is still read and
    /// quantized on loading.
    public static let magic: [UInt8] = Array("RHTW".utf8)
    public static let fileVersion: UInt32 = 3

    /// Replaces the hashed weights by their 8-bit quantization (`HashedTable.scale`, `.code`):
    /// the values the scorer uses, so explanations and evaluations see the same numbers.
    public mutating func quantizeHashed() {
        // One local array, assigned back once (`hashed` may be derived at each read).
        var weights = hashed
        for o in 0..<outputs {
            let scale = HashedTable.scale(for: stride(from: o, to: weights.count, by: outputs).lazy.map { weights[$0] })
            hashedScale[o] = scale
            for i in stride(from: o, to: weights.count, by: outputs) {
                weights[i] = scale * Float(HashedTable.code(weights[i], scale: scale))
            }
        }
        hashed = weights
    }

    /// The serialized bytes, checksum included.
    public func serialized() -> [UInt8] {
        var out = Self.magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(Self.fileVersion)
        u32(UInt32(outputs))
        u32(UInt32(denseCount))
        u32(UInt32(bits))
        let hashed = self.hashed
        out.reserveCapacity(out.count + (bias.count + dense.count + outputs) * 4 + hashed.count + 8)
        for array in [bias, dense, hashedScale] {
            for f in array { withUnsafeBytes(of: f.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        for (i, f) in hashed.enumerated() { out.append(UInt8(bitPattern: HashedTable.code(f, scale: hashedScale[i % outputs]))) }
        let sum = Self.checksum(out[...])
        withUnsafeBytes(of: sum.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// FNV-1a-64 over bytes.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBufferPointer { p in
            var h = TermHash.fnvOffset
            for b in p { h = TermHash.step(h, b) }
            return h
        }
    }

    /// The checksum a weights file carries in its last 8 bytes (little-endian).
    static func storedChecksum(_ bytes: [UInt8]) -> UInt64 {
        var stored: UInt64 = 0
        for k in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + k]) << UInt64(8 * k) }
        return stored
    }

    /// Parses a weights file; `path` names it in errors.
    public init(bytes: [UInt8], path: String) throws {
        func fail(_ why: String) -> DataFileError { DataFileError(path: path, line: 0, problem: why) }
        guard bytes.count >= 28, Array(bytes[0..<4]) == Self.magic else { throw fail("not a Rhetor weights file (bad magic)") }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let version = u32(4)
        guard version == 1 || version == Self.fileVersion else {
            throw fail("weights file version \(version) is not supported (this build reads 1 and \(Self.fileVersion))")
        }
        let outputs = Int(u32(8)), denseCount = Int(u32(12)), bits = Int(u32(16))
        guard outputs > 0, outputs < 64, denseCount < 4096, bits > 0, bits <= 26 else { throw fail("implausible shape K=\(outputs) D=\(denseCount) bits=\(bits)") }
        self.outputs = outputs
        self.denseCount = denseCount
        self.bits = bits
        let floats = outputs + denseCount * outputs + (version == 1 ? 0 : outputs)
        let hashedCount = (1 << bits) * outputs
        let hashedBytes = version == 1 ? 4 : 1
        guard bytes.count == 20 + floats * 4 + hashedCount * hashedBytes + 8 else { throw fail("size \(bytes.count) does not match its shape") }
        guard Self.checksum(bytes[0..<(bytes.count - 8)]) == Self.storedChecksum(bytes) else { throw fail("checksum mismatch: the file is damaged") }
        func f32(_ at: Int) -> Float { Float(bitPattern: u32(at)) }
        bias = (0..<outputs).map { f32(20 + 4 * $0) }
        dense = (0..<(denseCount * outputs)).map { f32(20 + 4 * (outputs + $0)) }
        let h0 = 20 + floats * 4
        if version == 1 {
            storedHashed = (0..<hashedCount).map { f32(h0 + 4 * $0) }
            hashedScale = [Float](repeating: 1, count: outputs)
            quantizeHashed()
        } else {
            let scales = (0..<outputs).map { f32(20 + 4 * (outputs + denseCount * outputs + $0)) }
            guard scales.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw fail("hashed weight scales must be positive") }
            storedHashed = []
            hashedScale = scales
            fileCodes = [Int8](unsafeUninitializedCapacity: hashedCount) { out, n in
                bytes.withUnsafeBytes { src in
                    out.baseAddress!.initialize(from: (src.baseAddress! + h0).assumingMemoryBound(to: Int8.self), count: hashedCount)
                }
                n = hashedCount
            }
        }
    }
}

/// A trained model: manifest, weights, and the lexicons and feature extractor it was trained with.
public struct LinearModel: Sendable {
    public var manifest: ModelManifest
    public var weights: ModelWeights
    public let extractor: FeatureExtractor

    public var outputNames: [String] { manifest.outputs.map(\.name) }

    public init(manifest: ModelManifest, weights: ModelWeights, lexicons: LexiconSet) {
        self.manifest = manifest
        self.weights = weights
        extractor = FeatureExtractor(lexicons: lexicons, spec: manifest.features.hash)
    }

    /// Loads `manifest.json` and its weights from `directory`, with the lexicons from
    /// `lexiconDirectory`; rejects an unknown format version and lexicons whose SHA-256 differs
    /// from the ones the model was trained with.
    public static func load(directory: URL, lexiconDirectory: URL) throws -> LinearModel {
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let data: Data
        do { data = try Data(contentsOf: manifestURL) } catch {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "cannot read model manifest: \(error.localizedDescription)")
        }
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: data) } catch {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "not a valid model manifest: \(error)")
        }
        guard manifest.format == ModelManifest.currentFormat else {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "format '\(manifest.format)' is not '\(ModelManifest.currentFormat)'")
        }
        guard manifest.formatVersion == ModelManifest.currentFormatVersion else {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "model format version \(manifest.formatVersion) is not supported (this build reads \(ModelManifest.currentFormatVersion)\((2...3).contains(manifest.formatVersion) ? "; version \(manifest.formatVersion) hashed features into other buckets: retrain it with `rhetor train`" : ""))")
        }
        let lexicons = try LexiconSet(directory: lexiconDirectory)
        for (name, pin) in manifest.lexicons.sorted(by: { $0.key < $1.key }) {
            guard let have = lexicons.files[name] else {
                throw DataFileError(path: manifestURL.path, line: 0, problem: "model needs lexicon '\(name)', not found in \(lexiconDirectory.path)")
            }
            guard have.sha256 == pin.sha256 else {
                throw DataFileError(path: manifestURL.path, line: 0, problem: "lexicon '\(name)' in \(lexiconDirectory.path) (version \(have.version), sha256 \(have.sha256.prefix(12))...) does not match the one the model was trained with (version \(pin.version), sha256 \(pin.sha256.prefix(12))...)")
            }
        }
        let hash = manifest.features.hash
        guard hash.bits >= 1, hash.bits <= 26, hash.charMin >= 1, hash.charMin <= hash.charMax, hash.charMax <= 7 else {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "hash spec out of range: bits \(hash.bits) (1-26), character n-grams \(hash.charMin)-\(hash.charMax) (1-7)")
        }
        guard manifest.features.dense == DenseFeature.allCases.map(\.name) else {
            throw DataFileError(path: manifestURL.path, line: 0, problem: "dense feature list differs from this build's")
        }
        let weightsURL = directory.appendingPathComponent(manifest.weights.file)
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: weightsURL, options: .alwaysMapped)) } catch {
            throw DataFileError(path: weightsURL.path, line: 0, problem: "cannot read weights: \(error.localizedDescription)")
        }
        let weights = try ModelWeights(bytes: bytes, path: weightsURL.path)
        guard weights.outputs == manifest.outputs.count, weights.denseCount == DenseFeature.count,
              weights.bits == manifest.features.hash.bits else {
            throw DataFileError(path: weightsURL.path, line: 0, problem: "weights shape does not match the manifest")
        }
        guard manifest.weights.checksum == Self.checksumString(bytes) else {
            throw DataFileError(path: weightsURL.path, line: 0, problem: "weights checksum does not match the manifest")
        }
        return LinearModel(manifest: manifest, weights: weights, lexicons: lexicons)
    }

    static func checksumString(_ bytes: [UInt8]) -> String {
        "fnv1a64:" + String(ModelWeights.storedChecksum(bytes), radix: 16)
    }

    /// Writes `manifest.json` and the weights file into `directory`, filling in the checksum.
    public mutating func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bytes = weights.serialized()
        manifest.weights.checksum = Self.checksumString(bytes)
        try Data(bytes).write(to: directory.appendingPathComponent(manifest.weights.file))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (enc.encode(manifest) + Data("\n".utf8)).write(to: directory.appendingPathComponent("manifest.json"))
    }

    /// Maps a logit to an output's score with its link and calibration.
    @inlinable
    public func link(_ z: Float, output k: Int) -> Float {
        let o = manifest.outputs[k]
        let p = 1 / (1 + exp(-(Float(o.calibrationA) * z + Float(o.calibrationB))))
        return o.link == "signed-logistic" ? 2 * p - 1 : p
    }
}
