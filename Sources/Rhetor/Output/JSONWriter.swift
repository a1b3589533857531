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

    /// A number rounded to `decimals` places, written without exponent (`-0` becomes `0`).
    public mutating func number(_ x: Double, decimals: Int = 4) {
        raw(Self.format(x, decimals: decimals))
    }

    /// The fixed-point text of a number, the same on every platform and locale.
    public static func format(_ x: Double, decimals: Int = 4) -> String {
        guard x.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (x * scale).rounded()
        if r == 0 { return "0" }
        let neg = r < 0
        let digits = String(Int64(abs(r)))
        var s: String
        if decimals == 0 {
            s = digits
        } else {
            let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
            let cut = padded.index(padded.endIndex, offsetBy: -decimals)
            s = padded[..<cut] + "." + padded[cut...]
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return neg ? "-" + s : s
    }

    /// `"key":` ready for a value.
    public mutating func key(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }
}
