import Foundation
import RhetorText

/// An error in a lexicon or model file, naming the file and line.
public struct DataFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    /// 1-based line number, or 0 when the problem is with the file as a whole.
    public var line: Int
    public var problem: String

    public init(path: String, line: Int, problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    public var description: String { line > 0 ? "\(path):\(line): \(problem)" : "\(path): \(problem)" }
}

/// A parsed lexicon file: the `#! rhetor-lexicon 1` format.
///
/// Format: line 1 is exactly `#! rhetor-lexicon 1`. Then `# key: value` header lines, which must
/// include `name`, `version`, `source`, `license`, `weights` and `columns` (tab-separated column
/// names, the first being `term`). Then data rows: tab-separated, exactly as many fields as
/// columns, terms in strictly increasing UTF-8 byte order (so no duplicates), and no two terms
/// with the same normalized form. Blank lines and comments after the header are errors.
public struct LexiconFile: Sendable {
    /// The format version this build reads.
    public static let formatVersion = 1
    public static let magic = "#! rhetor-lexicon \(formatVersion)"

    /// A data row: its line, its term and the term's phrase key. Its other fields stay bytes of
    /// the file until asked for (`field(_:_:)`, `number(_:_:)`): a String per field, and an
    /// array per row for the fields and another for the term's tokens, were two thirds of
    /// loading the lexicons at every start.
    public struct Row: Sendable {
        public var line: Int
        /// The first field.
        public var term: String
        /// `TermHash.phrase` of the term's tokens: the key a matcher looks the term up by.
        public var key: UInt64
        /// How many tokens the term has (`termTokens(of:)`).
        public var tokenCount: Int
        /// Where the row's field starts are in `fieldStarts` (`columns.count + 1` of them, the
        /// last one past the line's end) and its term tokens in `tokenHashes`.
        var firstField: Int
        var firstToken: Int
    }

    public var path: String
    public var headers: [String: String]
    public var columns: [String]
    public var rows: [Row]
    /// SHA-256 of the file's bytes, lower-case hex.
    public var sha256: String
    /// The file's bytes, which the rows' fields point into.
    let bytes: [UInt8]
    /// Per row, the offset where each field starts, then the line's end plus one: a field ends
    /// a byte (its tab or line end) before the next start.
    private(set) var fieldStarts: [Int32] = []
    /// Every row's term token hashes, row after row.
    private(set) var tokenHashes: [UInt64] = []

    public var name: String { headers["name"] ?? "" }
    public var version: String { headers["version"] ?? "" }

    /// Reads and validates a lexicon file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFileError(path: url.path, line: 0, problem: "cannot read: \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), path: url.path)
    }

    /// Parses lexicon bytes; `path` is used in error messages.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        self.bytes = bytes
        sha256 = SHA256.hex(bytes)
        let valid = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
        guard valid else {
            // Find the line with the bad bytes for the message.
            var line = 1
            var start = 0
            for (i, b) in bytes.enumerated() where b == 0x0A {
                if String(validating: bytes[start..<i], as: UTF8.self) == nil { break }
                line += 1
                start = i + 1
            }
            throw DataFileError(path: path, line: line, problem: "invalid UTF-8")
        }
        // Lines as byte ranges (split on bytes, not Characters: grapheme breaking would be most
        // of the load time); a final newline ends the last line rather than starting an empty one.
        var lines: [Range<Int>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lines.append(start..<i)
            start = i + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        guard let firstRange = lines.first else { throw DataFileError(path: path, line: 0, problem: "empty file") }
        let first = text(firstRange)
        guard first == Self.magic else {
            if first.hasPrefix("#! rhetor-lexicon ") {
                throw DataFileError(path: path, line: 1, problem: "unsupported lexicon format '\(first)'; this build reads '\(Self.magic)'")
            }
            throw DataFileError(path: path, line: 1, problem: "missing magic line '\(Self.magic)'")
        }
        headers = [:]
        columns = []
        rows = []
        var i = 1
        while i < lines.count, bytes[lines[i]].first == 0x23 {
            let line = text(lines[i])
            let body = line.dropFirst().drop(while: { $0 == " " })
            guard let colon = body.firstIndex(of: ":") else {
                throw DataFileError(path: path, line: i + 1, problem: "header line is not '# key: value'")
            }
            let key = Self.trimmingSpaces(body[..<colon])
            let value = Self.trimmingSpaces(body[body.index(after: colon)...])
            if headers[key] != nil { throw DataFileError(path: path, line: i + 1, problem: "header '\(key)' repeated") }
            headers[key] = value
            i += 1
        }
        for key in ["name", "version", "source", "license", "weights", "columns"] where headers[key] == nil {
            throw DataFileError(path: path, line: i, problem: "header '# \(key): ...' is missing")
        }
        columns = headers["columns"]!.split(separator: "\t").map { Self.trimmingSpaces($0) }
        guard columns.first == "term", columns.count >= 2 else {
            throw DataFileError(path: path, line: i, problem: "columns must start with 'term' and name at least two columns")
        }
        var previous: Range<Int>?
        // Phrase keys seen so far (already mixed: no per-key SipHash as in a Dictionary).
        var keysSeen = HashSet64(capacity: lines.count - i)
        rows.reserveCapacity(lines.count - i)
        var fieldStarts: [Int32] = []
        fieldStarts.reserveCapacity((lines.count - i) * (columns.count + 1))
        var tokenHashes: [UInt64] = []
        tokenHashes.reserveCapacity(2 * (lines.count - i))
        let tokens = TokenBuffer()
        try bytes.withUnsafeBufferPointer { p in
            while i < lines.count {
                let lineNo = i + 1
                let line = lines[i]
                if line.isEmpty { throw DataFileError(path: path, line: lineNo, problem: "blank line") }
                if p[line.lowerBound] == 0x23 { throw DataFileError(path: path, line: lineNo, problem: "comment after the header") }
                let firstField = fieldStarts.count
                fieldStarts.append(Int32(line.lowerBound))
                for j in line where p[j] == 0x09 { fieldStarts.append(Int32(j + 1)) }
                fieldStarts.append(Int32(line.upperBound + 1))
                let fieldCount = fieldStarts.count - firstField - 1
                let termRange = line.lowerBound..<(Int(fieldStarts[firstField + 1]) - 1)
                let termText = text(termRange)
                guard fieldCount == columns.count else {
                    throw DataFileError(path: path, line: lineNo, problem: "expected \(columns.count) tab-separated fields (\(columns.joined(separator: ", "))), found \(fieldCount)")
                }
                let term = UnsafeBufferPointer(rebasing: p[termRange])
                if Self.hasStraySpaces(term) {
                    throw DataFileError(path: path, line: lineNo, problem: "term '\(termText)' is empty or has stray spaces")
                }
                if let prev = previous {
                    let order = Self.compareBytes(UnsafeBufferPointer(rebasing: p[prev]), term)
                    if order == 0 { throw DataFileError(path: path, line: lineNo, problem: "duplicate term '\(termText)'") }
                    if order > 0 {
                        throw DataFileError(path: path, line: lineNo, problem: "not sorted: '\(termText)' comes after '\(text(prev))' (sort by UTF-8 bytes)")
                    }
                }
                let firstToken = tokenHashes.count
                PhraseKey.appendTokens(of: term, using: tokens, to: &tokenHashes)
                let key = TermHash.phrase(tokenHashes[firstToken...])
                if keysSeen.contains(key), let other = rows.first(where: { $0.key == key }) {
                    throw DataFileError(path: path, line: lineNo, problem: "term '\(termText)' matches the same tokens as line \(other.line)")
                }
                keysSeen.insert(key)
                previous = termRange
                rows.append(Row(line: lineNo, term: termText, key: key, tokenCount: tokenHashes.count - firstToken,
                                firstField: firstField, firstToken: firstToken))
                i += 1
            }
        }
        self.fieldStarts = fieldStarts
        self.tokenHashes = tokenHashes
    }

    /// Field `column` of `row`.
    public func field(_ row: Row, _ column: Int) -> String {
        String(decoding: bytes[fieldRange(row, column)], as: UTF8.self)
    }

    /// All fields of `row`, the term first.
    public func fields(of row: Row) -> [String] {
        (0..<columns.count).map { field(row, $0) }
    }

    /// The token hashes of `row`'s term, as the tokenizer produces them in a statement
    /// (`PhraseKey.tokens`).
    public func termTokens(of row: Row) -> ArraySlice<UInt64> {
        tokenHashes[row.firstToken..<(row.firstToken + row.tokenCount)]
    }

    /// Adds the phrase hashes of `row`'s term's proper prefixes (`PhraseKey.prefixHashes`) to
    /// `prefixes`. Most terms are one token and have none: they skip the set, whose `formUnion`
    /// of even an empty array cost ~600 instructions a row (+6M at a quotes start-up).
    public func insertPrefixHashes(of row: Row, into prefixes: inout Set<UInt64>) {
        guard row.tokenCount > 1 else { return }
        prefixes.formUnion(PhraseKey.prefixHashes(of: termTokens(of: row)))
    }

    /// The byte range of field `column` of `row`.
    func fieldRange(_ row: Row, _ column: Int) -> Range<Int> {
        precondition(column >= 0 && column < columns.count, "column \(column) of \(columns.count)")
        return Int(fieldStarts[row.firstField + column])..<(Int(fieldStarts[row.firstField + column + 1]) - 1)
    }

    /// Negative, zero or positive as `a` sorts before, equal to or after `b` by bytes.
    static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, common)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// True for an empty term, or one with leading, trailing or doubled spaces (or a tab).
    static func hasStraySpaces<C: Collection>(_ u: C) -> Bool where C.Element == UInt8 {
        guard let first = u.first, first != 0x20 else { return true }
        var previous: UInt8 = 0
        for b in u {
            if b == 0x20, previous == 0x20 { return true }
            if b == 0x09 { return true }
            previous = b
        }
        return previous == 0x20
    }

    /// The index of a column, or an error naming the file.
    public func column(_ name: String) throws -> Int {
        guard let c = columns.firstIndex(of: name) else {
            throw DataFileError(path: path, line: 0, problem: "column '\(name)' is missing (columns: \(columns.joined(separator: ", ")))")
        }
        return c
    }

    /// `s` without leading and trailing spaces and tabs (Unicode space separators included): what
    /// Foundation's `trimmingCharacters(in: .whitespaces)` returns, without its per-call cost
    /// (~37k instructions, 2.8M of a start-up's 151M).
    static func trimmingSpaces<S: StringProtocol>(_ s: S) -> String {
        func isSpace(_ c: Character) -> Bool {
            c.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(s[first...last])
    }

    /// `Float(text)`, with the common case of a lexicon weight computed directly: an optional
    /// `-`, at most 7 digits in all and at most 10 after a `.`. The digits then make an integer
    /// `n < 2^24` and `10^k` is exact in a Float, so `n / 10^k` in Float arithmetic is the correctly
    /// rounded value, as `strtof` gives (Clinger 1990's fast path). Anything else goes to `Float`.
    static func parseFloat(_ text: String) -> Float? {
        var text = text
        return text.withUTF8 { parseFloat($0) }
    }

    /// `parseFloat` of UTF-8 bytes.
    static func parseFloat(_ u: UnsafeBufferPointer<UInt8>) -> Float? {
        var i = 0
        let negative = u.first == 0x2D
        if negative { i = 1 }
        var n = 0, digits = 0, fraction = -1
        while i < u.count {
            let b = u[i]
            if b == 0x2E, fraction < 0, digits > 0 {
                fraction = 0
            } else if b &- 0x30 < 10, digits < 7 {
                n = n * 10 + Int(b &- 0x30)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else {
                return Float(String(decoding: u, as: UTF8.self))
            }
            i += 1
        }
        guard digits > 0, fraction != 0, fraction <= 10 else { return Float(String(decoding: u, as: UTF8.self)) }
        let v = Float(n) / Self.powersOfTen[max(0, fraction)]
        return negative ? -v : v
    }

    /// 10^0 ... 10^10, each exact in a Float (5^10 < 2^24).
    private static let powersOfTen: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// A numeric field of a row, or an error naming the file and line.
    public func number(_ row: Row, _ column: Int) throws -> Float {
        let r = fieldRange(row, column)
        let v = bytes.withUnsafeBufferPointer { Self.parseFloat(UnsafeBufferPointer(rebasing: $0[r])) }
        guard let v, v.isFinite else {
            throw DataFileError(path: path, line: row.line, problem: "\(columns[column]) '\(field(row, column))' is not a number")
        }
        return v
    }

    /// Fails unless the file's `name` header is `expected`.
    public func expectName(_ expected: String) throws {
        guard name == expected else {
            throw DataFileError(path: path, line: 0, problem: "expected a '\(expected)' lexicon, found name '\(name)'")
        }
    }
}

/// How lexicon terms become lookup keys: tokenized like statements, then phrase-hashed.
public enum PhraseKey {
    /// The token hashes of a term, as the tokenizer would produce them in a statement.
    public static func tokens(of term: String) -> [UInt64] {
        var hashes: [UInt64] = []
        Array(term.utf8).withUnsafeBufferPointer { appendTokens(of: $0, using: TokenBuffer(), to: &hashes) }
        return hashes
    }

    /// Appends the token hashes of a term's UTF-8 bytes to `hashes`, tokenizing into `buffer`
    /// (a lexicon file reuses one buffer and one array for all its rows).
    public static func appendTokens(of term: UnsafeBufferPointer<UInt8>, using buffer: TokenBuffer, to hashes: inout [UInt64]) {
        Tokenizer().tokenize(term, into: buffer)
        for t in buffer.tokens { hashes.append(t.hash) }
    }

    /// The phrase hash of a term.
    public static func hash(of term: String) -> UInt64 {
        TermHash.phrase(tokens(of: term))
    }

    /// The phrase hashes of a phrase's proper prefixes (none for one token), as a matcher that
    /// extends a phrase token by token computes them: it may stop at the first that is absent.
    public static func prefixHashes<C: Collection>(of tokens: C) -> [UInt64] where C.Element == UInt64 {
        var out: [UInt64] = []
        var h: UInt64 = 0
        for (k, t) in tokens.dropLast().enumerated() {
            h = k == 0 ? t : TermHash.combine(h, t)
            out.append(h)
        }
        return out
    }
}
