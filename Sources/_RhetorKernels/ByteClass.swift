/// Byte classes for the tokenizer's scalar fast path over ASCII.
///
/// Every byte maps to exactly one class. Bytes 0x80...0xFF are `nonASCII`: the tokenizer decodes
/// them as UTF-8 and classifies the code point itself.
public enum ByteClass: UInt8, Sendable {
    /// Space, tab, line feed, carriage return, vertical tab, form feed.
    case space = 0
    /// `A`...`Z`.
    case upper = 1
    /// `a`...`z`.
    case lower = 2
    /// `0`...`9`.
    case digit = 3
    /// `'` (U+0027), the ASCII apostrophe.
    case apostrophe = 4
    /// `-`.
    case hyphen = 5
    /// `!` and `?`, which form emphasis runs.
    case bang = 6
    /// Any other printable ASCII punctuation or symbol.
    case punct = 7
    /// ASCII control characters other than whitespace.
    case control = 8
    /// A byte of a multi-byte UTF-8 sequence (or an invalid byte).
    case nonASCII = 9

    /// The class of every byte, indexed by the byte value: 256 entries built once and never
    /// written again (so sharing them between threads is safe), read by the tokenizer's scan
    /// loop through a plain pointer (no bounds check, no reference counting).
    nonisolated(unsafe) public static let table: UnsafePointer<ByteClass> = {
        let t = UnsafeMutablePointer<ByteClass>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = classify(UInt8(b)) }
        return UnsafePointer(t)
    }()

    /// The class of one byte, computed without the table (the reference the table is built from).
    @inlinable
    public static func classify(_ b: UInt8) -> ByteClass {
        switch b {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20: return .space
        case 0x41...0x5A: return .upper
        case 0x61...0x7A: return .lower
        case 0x30...0x39: return .digit
        case 0x27: return .apostrophe
        case 0x2D: return .hyphen
        case 0x21, 0x3F: return .bang
        case 0x00...0x1F, 0x7F: return .control
        case 0x80...0xFF: return .nonASCII
        default: return .punct
        }
    }
}
