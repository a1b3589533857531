/// Builds JSON text byte-exactly: keys in the order written, numbers in a fixed format.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A JSON string literal, escaping `"`, `\` and control characters; invalid UTF-8 never
    /// reaches here (Swift strings are valid).
    public mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    /// A number rounded to `decimals` places, written without exponent (`-0` becomes `0`),
    /// trailing zeros dropped; non-finite numbers become `null`.
    public mutating func number(_ x: Double, decimals: Int = 4) {
        Self.appendNumber(x, decimals: decimals, to: &bytes)
    }

    /// The fixed-point text of a number, the same on every platform and locale.
    public static func format(_ x: Double, decimals: Int = 4) -> String {
        var out: [UInt8] = []
        appendNumber(x, decimals: decimals, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static let powers: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Writes the digits straight into `out`: no intermediate strings.
    static func appendNumber(_ x: Double, decimals: Int, to out: inout [UInt8]) {
        guard x.isFinite, decimals >= 0, decimals < powers.count, abs(x) < 9e15 / powers[decimals] else {
            out.append(contentsOf: x.isFinite ? Array(String(x).utf8) : Array("null".utf8))
            return
        }
        let r = Int64((x * powers[decimals]).rounded())
        if r == 0 { out.append(0x30); return }
        if r < 0 { out.append(0x2D) }
        var v = r.magnitude
        var digits = [UInt8](repeating: 0x30, count: 20)
        var n = 0
        while v > 0 || n <= decimals {
            digits[n] = 0x30 + UInt8(v % 10)
            v /= 10
            n += 1
        }
        // digits[0..<n] are least significant first; the first `decimals` are the fraction.
        var firstKept = 0
        while firstKept < decimals, digits[firstKept] == 0x30 { firstKept += 1 }
        for i in stride(from: n - 1, through: decimals, by: -1) { out.append(digits[i]) }
        if firstKept < decimals {
            out.append(0x2E)
            for i in stride(from: decimals - 1, through: firstKept, by: -1) { out.append(digits[i]) }
        }
    }

    /// `"key":` followed by a record id: a string, a number as written, or null.
    public mutating func id(_ key: String, _ id: RecordID) {
        self.key(key)
        switch id {
        case .string(let s): string(s)
        case .number(let s): raw(s)
        case .none: raw("null")
        }
    }

    /// The JSON line that answers an input record which could not be processed:
    /// `{"line":N,"<idKey>":...,"error":"..."}` and a newline.
    public static func errorLine(line: Int, idKey: String, id: RecordID, error: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{")
        w.key("line"); w.raw(String(line)); w.raw(",")
        w.id(idKey, id); w.raw(",")
        w.key("error"); w.string(error)
        w.raw("}\n")
        return w.bytes
    }

    /// `"key":` ready for a value.
    public mutating func key(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }
}
