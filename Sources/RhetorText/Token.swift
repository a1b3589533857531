/// What a token is.
public enum TokenKind: UInt8, Sendable, CustomStringConvertible {
    /// Letters (any script), possibly with internal apostrophes, hyphens and digits.
    case word = 0
    /// A clitic split off a contraction: `n't`, `'s`, `'re`, `'ve`, `'ll`, `'d`, `'m`.
    case clitic = 1
    /// Digits, possibly with internal `.` or `,`.
    case number = 2
    /// A run of `!` and `?` (emphasis).
    case emphasis = 3
    /// Any other punctuation or symbol; a run of one repeated mark (`...`, `--`) is one token.
    case punct = 4
    /// An emoji, with its modifiers and zero-width joiners.
    case emoji = 5
    /// `http://...`, `https://...` or `www....` up to the next space.
    case url = 6
    /// `@name`; hashed as `@user` so handles do not become features.
    case mention = 7
    /// A maximal invalid UTF-8 subpart (one replacement character).
    case invalid = 8

    public var description: String {
        switch self {
        case .word: "word"
        case .clitic: "clitic"
        case .number: "number"
        case .emphasis: "emphasis"
        case .punct: "punct"
        case .emoji: "emoji"
        case .url: "url"
        case .mention: "mention"
        case .invalid: "invalid"
        }
    }
}

/// Properties of a token's spelling.
public struct TokenFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Two or more letters, all ASCII upper case (`NEVER`).
    @inlinable public static var allCaps: TokenFlags { TokenFlags(rawValue: 1) }
    /// First letter upper case.
    @inlinable public static var capitalized: TokenFlags { TokenFlags(rawValue: 2) }
    /// Contains an internal hyphen (`so-called`).
    @inlinable public static var hyphenated: TokenFlags { TokenFlags(rawValue: 4) }
    /// Contains non-ASCII bytes.
    @inlinable public static var nonASCII: TokenFlags { TokenFlags(rawValue: 8) }
    /// The token is a run of `!` and `?` containing at least one `!`.
    @inlinable public static var exclamation: TokenFlags { TokenFlags(rawValue: 16) }
    /// The token is a run of `!` and `?` containing at least one `?`.
    @inlinable public static var question: TokenFlags { TokenFlags(rawValue: 32) }
}

/// One token: its kind, spelling flags, the hash of its normalized form, and where it is.
///
/// Offsets are end-exclusive. Byte offsets index the UTF-8 input; character offsets count Unicode
/// code points, with each maximal invalid UTF-8 subpart counting as one (U+FFFD), as Python's
/// `bytes.decode("utf-8", "replace")` does, so `text[charStart:charEnd]` in Python is the token.
public struct Token: Sendable, Hashable {
    public var byteStart: Int32
    public var byteEnd: Int32
    public var charStart: Int32
    public var charEnd: Int32
    /// `TermHash.term` of the normalized bytes (ASCII lower case, curly apostrophes as `'`).
    public var hash: UInt64
    public var kind: TokenKind
    public var flags: TokenFlags
    /// For `.emphasis` tokens: the number of marks in the run; 0 otherwise.
    public var runLength: UInt16

    public init(
        byteStart: Int32, byteEnd: Int32, charStart: Int32, charEnd: Int32,
        hash: UInt64, kind: TokenKind, flags: TokenFlags, runLength: UInt16 = 0
    ) {
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.charStart = charStart
        self.charEnd = charEnd
        self.hash = hash
        self.kind = kind
        self.flags = flags
        self.runLength = runLength
    }

    /// The number of bytes the token spans.
    @inlinable public var byteCount: Int { Int(byteEnd &- byteStart) }

    /// True for words, clitics and numbers: the tokens lexicons and n-gram features look at.
    @inlinable public var isLexical: Bool { kind == .word || kind == .clitic || kind == .number }
}

/// A plain ASCII word's bytes as the tokenizer's fast path held them: `A`...`Z` lower-cased,
/// little-endian, zero past the word's end (`lo` its first 8 bytes, `hi` the rest). The walk
/// that hashes a statement's features keys its word cache on them without reading the word
/// again. A lone punctuation mark the fast path made has its byte (`lo`), so the walk caches it
/// too. Words of 16 bytes or more, and tokens made by the general rules, have none (`lo` 0: a
/// plain word's first byte is a letter or digit, and a mark's byte is not 0 either).
public struct LoweredBytes: Sendable, Equatable {
    public var lo: UInt64
    public var hi: UInt64

    @inlinable
    public init(lo: UInt64, hi: UInt64) {
        self.lo = lo
        self.hi = hi
    }

    /// No bytes: the token was not made by the plain-word path.
    @inlinable public static var absent: LoweredBytes { LoweredBytes(lo: 0, hi: 0) }
}
