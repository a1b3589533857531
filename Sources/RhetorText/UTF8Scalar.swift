/// One decoded UTF-8 sequence: a scalar value, or a maximal invalid subpart.
public struct UTF8Scalar: Sendable, Equatable {
    /// The code point; U+FFFD when `valid` is false.
    public var value: UInt32
    /// Bytes consumed (1...4).
    public var length: Int
    /// False for an invalid subpart.
    public var valid: Bool

    @inlinable
    public init(value: UInt32, length: Int, valid: Bool) {
        self.value = value
        self.length = length
        self.valid = valid
    }

    /// Decodes the sequence starting at `i`, following the Unicode "maximal subpart" practice
    /// (the same as Python's and Swift's replacement decoding): an invalid lead byte is one
    /// subpart; a valid prefix cut short is one subpart.
    @inlinable
    public static func decode(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> UTF8Scalar {
        let n = p.count
        let b0 = p[i]
        if b0 < 0x80 { return UTF8Scalar(value: UInt32(b0), length: 1, valid: true) }
        let need: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: need = 1; value = UInt32(b0 & 0x1F)
        case 0xE0: need = 2; lo = 0xA0; value = UInt32(b0 & 0x0F)
        case 0xE1...0xEC, 0xEE, 0xEF: need = 2; value = UInt32(b0 & 0x0F)
        case 0xED: need = 2; hi = 0x9F; value = UInt32(b0 & 0x0F)
        case 0xF0: need = 3; lo = 0x90; value = UInt32(b0 & 0x07)
        case 0xF1...0xF3: need = 3; value = UInt32(b0 & 0x07)
        case 0xF4: need = 3; hi = 0x8F; value = UInt32(b0 & 0x07)
        default: return UTF8Scalar(value: 0xFFFD, length: 1, valid: false)
        }
        var k = 1
        while k <= need {
            guard i + k < n else { return UTF8Scalar(value: 0xFFFD, length: k, valid: false) }
            let b = p[i + k]
            let okLo: UInt8 = k == 1 ? lo : 0x80
            let okHi: UInt8 = k == 1 ? hi : 0xBF
            guard b >= okLo, b <= okHi else { return UTF8Scalar(value: 0xFFFD, length: k, valid: false) }
            value = value << 6 | UInt32(b & 0x3F)
            k += 1
        }
        return UTF8Scalar(value: value, length: need + 1, valid: true)
    }
}

/// How the tokenizer treats a non-ASCII code point.
public enum UnicodeClass: Sendable {
    case letter, space, punct, apostrophe, emoji, joiner

    /// The class of a scalar value at or above U+0080.
    ///
    /// Ranges from the Unicode blocks: Latin-1 punctuation U+00A1-U+00BF, General Punctuation
    /// U+2000-U+206F, Supplemental Punctuation U+2E00-U+2E7F, CJK Symbols and Punctuation
    /// U+3000-U+303F, Miscellaneous Symbols and Dingbats U+2600-U+27BF, and the emoji planes
    /// U+1F000-U+1FAFF. Everything not listed is treated as a letter, so scripts we do not know
    /// still form words.
    public static func of(_ v: UInt32) -> UnicodeClass {
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return .space
        case 0x2018, 0x2019:
            return .apostrophe
        case 0x200B, 0x200C, 0x200D, 0xFE00...0xFE0F, 0x20E3:
            return .joiner
        case 0x80...0x9F, 0xA1...0xA9, 0xAB...0xB4, 0xB6...0xB9, 0xBB...0xBF, 0xD7, 0xF7,
             0x2010...0x2027, 0x2030...0x205E, 0x2060...0x206F, 0x20A0...0x20CF, 0x2100...0x23FF,
             0x2500...0x25FF, 0x2E00...0x2E7F, 0x3001...0x303F, 0xFF01...0xFF0F, 0xFF1A...0xFF20:
            return .punct
        case 0x2600...0x27BF, 0x2B00...0x2BFF, 0x1F000...0x1FAFF:
            return .emoji
        default:
            return .letter
        }
    }

    /// Skin-tone modifiers U+1F3FB-U+1F3FF and tag characters U+E0020-U+E007F.
    public static func isEmojiModifier(_ v: UInt32) -> Bool {
        (0x1F3FB...0x1F3FF).contains(v) || (0xE0020...0xE007F).contains(v)
    }

    /// Regional indicator symbols U+1F1E6-U+1F1FF (two make a flag).
    public static func isRegionalIndicator(_ v: UInt32) -> Bool {
        (0x1F1E6...0x1F1FF).contains(v)
    }
}
