import _RhetorKernels

/// Reads one JSON Lines record without Foundation: checks the whole line against the JSON grammar
/// (RFC 8259) and copies the top-level fields it was asked for into a caller's byte arena.
///
/// One pass over the bytes, no allocation per record once the arena is warm; plain string content
/// is skipped 16 bytes at a time (`ByteScan.jsonStringStop`). Nested values are checked and skipped,
/// at most `maxDepth` deep.
public struct JSONLineScanner: Sendable {
    /// A top-level field's value. Strings are unescaped UTF-8 and numbers their text as written,
    /// both as ranges into the arena passed to `scan`.
    public enum Value: Equatable, Sendable {
        case string(Range<Int>)
        case number(Range<Int>)
        case bool(Bool)
        case null
        /// An object or array (checked, not copied).
        case composite
    }

    /// Why a line is not a usable record; `description` is the message for the error record.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidUTF8
        case empty
        case notObject
        /// The grammar broke: what was expected, at which 0-based byte of the line.
        case broken(String, at: Int)

        public var description: String {
            switch self {
            case .invalidUTF8: "invalid UTF-8"
            case .empty: "empty line"
            case .notObject: "not a JSON object"
            case .broken(let why, let at): "broken JSON: \(why) at byte \(at + 1)"
            }
        }
    }

    /// The keys to copy, as UTF-8 (compared after unescaping).
    public let keys: [[UInt8]]
    public static let maxDepth = 512

    public init(keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    /// Scans one line. On success `values[k]` holds the value of `keys[k]` (nil when absent; the
    /// last one wins when a key repeats) and the arena grows by the copied bytes.
    public func scan(_ line: UnsafeBufferPointer<UInt8>, values: inout [Value?], arena: inout [UInt8]) -> Failure? {
        values.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(nil, count: keys.count))
        guard UTF8Validation.isValid(line) else { return .invalidUTF8 }
        // The arena moves into the parser and back, so appends never copy it.
        var p = Parser(bytes: line, arena: [])
        swap(&p.arena, &arena)
        defer { swap(&p.arena, &arena) }
        p.skipSpace()
        if p.i == line.count { return .empty }
        guard line[p.i] == 0x7B else {
            // Another JSON value is "not an object"; anything else is broken.
            let mark = p.arena.count
            if (try? p.value(depth: 1)) != nil {
                p.skipSpace()
                p.arena.removeSubrange(mark...)
                if p.i == line.count { return .notObject }
            }
            return .broken("expected an object", at: 0)
        }
        do throws(Failure) {
            try object(&p, values: &values)
            p.skipSpace()
            guard p.i == line.count else { throw p.fail("expected the end of the line after the object") }
            return nil
        } catch {
            return error
        }
    }

    private func object(_ p: inout Parser, values: inout [Value?]) throws(Failure) {
        p.i += 1
        p.skipSpace()
        if p.peek == 0x7D { p.i += 1; return }
        while true {
            guard p.peek == 0x22 else { throw p.fail("expected a string key") }
            let keyStart = p.arena.count
            try p.string()
            let k = keys.firstIndex { key in
                key.count == p.arena.count - keyStart && key.elementsEqual(p.arena[keyStart...])
            }
            p.arena.removeSubrange(keyStart...)
            p.skipSpace()
            guard p.peek == 0x3A else { throw p.fail("expected ':'") }
            p.i += 1
            p.skipSpace()
            if let k {
                values[k] = try p.value(depth: 1)
            } else {
                let mark = p.arena.count
                _ = try p.value(depth: 1)
                p.arena.removeSubrange(mark...)
            }
            p.skipSpace()
            switch p.peek {
            case 0x2C:
                p.i += 1
                p.skipSpace()
            case 0x7D:
                p.i += 1
                return
            default:
                throw p.fail("expected ',' or '}'")
            }
        }
    }

    /// The cursor over one line and the arena strings are copied into.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var arena: [UInt8]
        var i = 0
        /// `ByteScan.forceScalar`, read once per line rather than at every string segment
        /// (each read of that global goes through its lazy initializer's check).
        let scalarKernels = ByteScan.forceScalar

        init(bytes: UnsafeBufferPointer<UInt8>, arena: [UInt8]) {
            self.bytes = bytes
            self.arena = arena
        }

        var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }

        func fail(_ why: String) -> Failure { .broken(why, at: i) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        /// Any value; strings and numbers are copied to the arena.
        mutating func value(depth: Int) throws(Failure) -> Value {
            switch peek {
            case 0x22:
                let start = arena.count
                try string()
                return .string(start..<arena.count)
            case 0x7B, 0x5B:
                try composite(depth: depth)
                return .composite
            case 0x74: try literal("true"); return .bool(true)
            case 0x66: try literal("false"); return .bool(false)
            case 0x6E: try literal("null"); return .null
            case 0x2D, 0x30...0x39:
                let start = i
                try number()
                let a = arena.count
                arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                return .number(a..<arena.count)
            default:
                throw fail(i < bytes.count ? "expected a value" : "unexpected end of line")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { throw fail("unexpected end of line") }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw fail("expected a value") }
            i += n
        }

        mutating func number() throws(Failure) {
            func digits() -> Int {
                let s = i
                while i < bytes.count, bytes[i] &- 0x30 < 10 { i += 1 }
                return i - s
            }
            if peek == 0x2D { i += 1 }
            if peek == 0x30 { i += 1 } else if digits() == 0 { throw fail("expected a digit") }
            if peek == 0x2E {
                i += 1
                guard digits() > 0 else { throw fail("expected a digit after '.'") }
            }
            if peek == 0x65 || peek == 0x45 {
                i += 1
                if peek == 0x2B || peek == 0x2D { i += 1 }
                guard digits() > 0 else { throw fail("expected a digit in the exponent") }
            }
        }

        /// Checks and skips an object or array, iteratively up to `maxDepth` levels.
        mutating func composite(depth: Int) throws(Failure) {
            guard depth <= JSONLineScanner.maxDepth else { throw fail("nesting deeper than \(JSONLineScanner.maxDepth)") }
            let open = bytes[i]
            let close: UInt8 = open == 0x7B ? 0x7D : 0x5D
            i += 1
            skipSpace()
            if peek == close { i += 1; return }
            while true {
                if open == 0x7B {
                    guard peek == 0x22 else { throw fail("expected a string key") }
                    let mark = arena.count
                    try string()
                    arena.removeSubrange(mark...)
                    skipSpace()
                    guard peek == 0x3A else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                }
                let mark = arena.count
                _ = try value(depth: depth + 1)
                arena.removeSubrange(mark...)
                skipSpace()
                if peek == 0x2C { i += 1; skipSpace(); continue }
                if peek == close { i += 1; return }
                throw fail(open == 0x7B ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }

        /// A string at `i` (on its opening quote): its unescaped bytes go to the arena.
        ///
        /// Without escapes, one copy. With them (news text's `\n`s), the pieces are unescaped
        /// into a buffer as long as the rest of the line (unescaping never lengthens) and
        /// appended once: an arena append per piece and per escaped byte cost ~120 instructions
        /// an escape (callgrind, 19,043 Reuters articles).
        mutating func string() throws(Failure) {
            i += 1
            var stop = ByteScan.jsonStringStop(in: bytes, from: i, scalar: scalarKernels)
            if stop < bytes.count, bytes[stop] == 0x22 {
                if stop > i { arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<stop])) }
                i = stop + 1
                return
            }
            // Room for the rest of the line: unescaping never lengthens it, and
            // `copyJSONStringRun` from input position p writes below `bytes.count - p` bytes on.
            let out = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count - i)
            defer { out.deallocate() }
            var n = 0
            if stop > i {
                (out + n).update(from: bytes.baseAddress! + i, count: stop - i)
                n += stop - i
            }
            while true {
                i = stop
                guard i < bytes.count else { throw fail("unterminated string") }
                let b = bytes[i]
                if b == 0x22 { i += 1; break }
                guard b == 0x5C else { throw fail("control character in a string") }
                guard i + 1 < bytes.count else { throw fail("unterminated string") }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case 0x22, 0x5C, 0x2F: out[n] = e; n += 1
                case 0x62: out[n] = 0x08; n += 1
                case 0x66: out[n] = 0x0C; n += 1
                case 0x6E: out[n] = 0x0A; n += 1
                case 0x72: out[n] = 0x0D; n += 1
                case 0x74: out[n] = 0x09; n += 1
                case 0x75:
                    var u = try hex4()
                    if u >= 0xD800, u < 0xDC00 {
                        // A high surrogate: a low one must follow, else U+FFFD.
                        if i + 6 <= bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 {
                            let save = i
                            i += 2
                            let low = try hex4()
                            if low >= 0xDC00, low < 0xE000 {
                                u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                i = save
                                u = 0xFFFD
                            }
                        } else {
                            u = 0xFFFD
                        }
                    } else if u >= 0xDC00, u < 0xE000 {
                        u = 0xFFFD
                    }
                    n += Self.writeScalar(u, to: out + n)
                default:
                    i -= 2
                    throw fail("unknown escape")
                }
                // The next run found and copied in one pass.
                stop = ByteScan.copyJSONStringRun(in: bytes, from: i, to: out + n, scalar: scalarKernels)
                n += stop - i
            }
            arena.append(contentsOf: UnsafeBufferPointer(start: out, count: n))
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard i + 4 <= bytes.count else { throw fail("expected four hex digits") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw fail("expected four hex digits")
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }

        /// Writes the UTF-8 of `u` to `p` and returns its length (at most 4 bytes; a `\\u`
        /// escape of 6 bytes, or 12 for a surrogate pair, always has room for it).
        static func writeScalar(_ u: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
            switch u {
            case 0..<0x80:
                p[0] = UInt8(u)
                return 1
            case 0x80..<0x800:
                p[0] = 0xC0 | UInt8(u >> 6); p[1] = 0x80 | UInt8(u & 0x3F)
                return 2
            case 0x800..<0x10000:
                p[0] = 0xE0 | UInt8(u >> 12); p[1] = 0x80 | UInt8((u >> 6) & 0x3F); p[2] = 0x80 | UInt8(u & 0x3F)
                return 3
            default:
                p[0] = 0xF0 | UInt8(u >> 18); p[1] = 0x80 | UInt8((u >> 12) & 0x3F)
                p[2] = 0x80 | UInt8((u >> 6) & 0x3F); p[3] = 0x80 | UInt8(u & 0x3F)
                return 4
            }
        }
    }
}

/// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), with an
/// ASCII fast path.
public enum UTF8Validation {
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            i += ByteScan.asciiPrefix(bytes, from: i)
            guard i < n else { return true }
            let b = bytes[i]
            func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            switch b {
            case 0xC2...0xDF:
                guard cont(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard cont(1), cont(2) else { return false }
                let b1 = bytes[i + 1]
                if b == 0xE0, b1 < 0xA0 { return false }
                if b == 0xED, b1 >= 0xA0 { return false }
                i += 3
            case 0xF0...0xF4:
                guard cont(1), cont(2), cont(3) else { return false }
                let b1 = bytes[i + 1]
                if b == 0xF0, b1 < 0x90 { return false }
                if b == 0xF4, b1 >= 0x90 { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
