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

    /// Powers of ten, exact in Double and Int64, for `decimals` 0...8.
    static let powers: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Writes the digits straight into `out`: no intermediate strings or arrays.
    static func appendNumber(_ x: Double, decimals: Int, to out: inout [UInt8]) {
        guard x.isFinite, decimals >= 0, decimals < powers.count, abs(x) < 9e15 / powers[decimals] else {
            out.append(contentsOf: x.isFinite ? Array(String(x).utf8) : Array("null".utf8))
            return
        }
        let r = Int64((x * powers[decimals]).rounded())
        if r == 0 { out.append(0x30); return }
        if r < 0 { out.append(0x2D) }
        let scale = UInt64(powers[decimals])
        let magnitude = r.magnitude
        appendDigits(magnitude / scale, minimumCount: 1, to: &out)
        var fraction = magnitude % scale
        guard fraction != 0 else { return }
        var width = decimals
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        out.append(0x2E)
        appendDigits(fraction, minimumCount: width, to: &out)
    }

    /// Decimal digits of `v`, zero-padded on the left to `minimumCount`.
    static func appendDigits(_ v: UInt64, minimumCount: Int, to out: inout [UInt8]) {
        // Least significant first into a 24-byte stack buffer (a UInt64 has at most 20 digits),
        // then one append; `% 10` and `/ 10` compile to multiplications.
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            var i = raw.count
            var rest = v
            let minimum = min(minimumCount, raw.count)
            repeat {
                i -= 1
                raw[i] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0 || raw.count - i < minimum
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
    }

    /// An integer in decimal.
    public static func appendInteger(_ n: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(0x2D) }
        appendDigits(UInt64(n.magnitude), minimumCount: 1, to: &out)
    }

    /// A record id: a JSON string, a number as written, or null.
    public static func appendID(_ id: RecordID, to out: inout [UInt8]) {
        switch id {
        case .string(let s):
            var w = JSONWriter()
            swap(&w.bytes, &out)
            w.string(s)
            swap(&w.bytes, &out)
        case .number(let s): out.append(contentsOf: s.utf8)
        case .integer(let n): appendInteger(n, to: &out)
        case .none: out.append(contentsOf: "null".utf8)
        }
    }

    /// `"key":` followed by a record id: a string, a number as written, or null.
    public mutating func id(_ key: String, _ id: RecordID) {
        self.key(key)
        Self.appendID(id, to: &bytes)
    }

    /// The JSON line that answers an input record which could not be processed:
    /// `{"line":N,"<idKey>":...,"error":"..."}` and a newline.
    public static func errorLine(line: Int, idKey: String, id: RecordID, error: String) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{")
        w.key("line"); appendInteger(line, to: &w.bytes); w.raw(",")
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
