import _RhetorKernels
/// A span of quoted words found by the scanner, marks excluded.
public struct QuoteSpan: Sendable, Equatable {
    /// Code-point offsets of the quoted words (marks excluded), end exclusive.
    public var start: Int
    public var end: Int
    /// Offsets of the opening and closing marks (the closing mark's offset is `end` unless the quote
    /// runs to a paragraph end as part of a multi-paragraph quote).
    public var openMark: Int
    public var closeMark: Int?
    /// True for every paragraph of a multi-paragraph quote after the first.
    public var continuesPrevious: Bool
}

/// Finds quoted spans in an article: curly and straight double quotes, guillemets, low-9 marks,
/// single quotes (top level and nested), multi-paragraph quotes, with recovery at paragraph ends.
///
/// Pseudo-code, one pass, O(n):
///
///     for each character c:
///         newline            -> if a quote is open: if the next paragraph opens with a mark, end this
///                               segment at the paragraph end (multi-paragraph quote); else drop the
///                               stray opening mark. Inner quotes never cross a paragraph.
///         opening-only mark  -> open (or open an inner quote when one is open)
///         closing-only mark  -> close the innermost matching quote; a stray closer is ignored
///         straight " or '    -> open or close by context: opens after space/start/bracket/dash and
///                               before a non-space; closes after a non-space and before
///                               space/punctuation/end; `'` between letters is an apostrophe, `"`
///                               after a digit with nothing open is an inch sign
public enum QuoteScanner {
    enum Mark {
        case open(Family)
        case close(Family)
        case either(Family)
        case none
    }

    enum Family: Equatable {
        case double, single, guillemet
    }

    static func classify(_ c: UInt32) -> Mark {
        switch c {
        case 0x201C, 0x201E, 0x201F: .open(.double)   // “ „ ‟
        case 0x201D: .close(.double)                   // ”
        case 0x00AB: .open(.guillemet)                 // «
        case 0x00BB: .close(.guillemet)                // »
        case 0x2018, 0x201A: .open(.single)            // ‘ ‚
        case 0x2019: .close(.single)                   // ’ (also the apostrophe)
        case 0x22: .either(.double)                    // "
        case 0x27: .either(.single)                    // '
        default: .none
        }
    }

    static func isSpace(_ c: UInt32) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0xA0 || (0x2000...0x200B).contains(c) }
    static func isLetterOrDigit(_ c: UInt32) -> Bool {
        // ASCII: exactly A-Z, a-z and 0-9 are alphabetic or numeric.
        if c < 0x80 { return (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 }
        guard let s = Unicode.Scalar(c) else { return false }
        return s.properties.isAlphabetic || s.properties.numericType != nil
    }
    static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The deepest nesting of open quotes kept.
    static let maxDepth = 4

    /// False only when `utf8` cannot hold an opening quote mark, so `scan` would find nothing:
    /// no `"`, no opening curly, low-9 or guillemet mark, and no `'` after anything but an ASCII
    /// letter or digit (every mark `scan` may open a quote with is one of these). Candidates are
    /// found 16 bytes at a time (`ByteScan.quoteMarkCandidate`); most apostrophes ("it's") fail
    /// the test at once.
    public static func mayHaveQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = utf8.count
        var i = ByteScan.quoteMarkCandidate(in: utf8, from: 0)
        while i < n {
            switch utf8[i] {
            case 0x22:
                return true
            case 0x27:
                let p: UInt8 = i > 0 ? utf8[i - 1] : 0x20
                let alnum = p &- 0x30 < 10 || (p | 0x20) &- 0x61 < 26
                if !alnum { return true }
            case 0xC2:
                if i + 1 < n, utf8[i + 1] == 0xAB || utf8[i + 1] == 0xBB { return true }
            default:  // 0xE2: E2 80 98..9F are the single and double curly and low-9 marks
                if i + 2 < n, utf8[i + 1] == 0x80, utf8[i + 2] &- 0x98 < 8, utf8[i + 2] != 0x99 { return true }
            }
            i = ByteScan.quoteMarkCandidate(in: utf8, from: i + 1)
        }
        return false
    }

    /// Scans `text` (as Unicode scalar values) and returns quote spans in text order.
    public static func scan(_ s: [UInt32]) -> [QuoteSpan] { scan(s, asciiUTF8: nil) }

    /// `scan(s)`, given the text's UTF-8 when it is pure ASCII (byte i is then scalar i): the
    /// runs between line feeds and marks are skipped 16 bytes at a time
    /// (`ByteScan.quoteRunEnd`) instead of character by character. Same spans either way.
    public static func scan(_ s: [UInt32], asciiUTF8: UnsafeBufferPointer<UInt8>?) -> [QuoteSpan] {
        let n = s.count
        precondition(asciiUTF8 == nil || asciiUTF8!.count == n, "ASCII text has one byte per scalar")
        var result: [QuoteSpan] = []
        // Stack of open quotes: (family, position of opening mark, continuesPrevious).
        var stack: [(family: Family, open: Int, continues: Bool)] = []
        func prev(_ i: Int) -> UInt32 { i > 0 ? s[i - 1] : 0x20 }
        func next(_ i: Int) -> UInt32 { i + 1 < n ? s[i + 1] : 0x20 }
        func canOpen(_ i: Int) -> Bool {
            let p = prev(i), q = next(i)
            if isSpace(q) { return false }
            return isSpace(p) || p == 0x28 || p == 0x5B || p == 0x2014 || p == 0x2013 || p == 0x2D || p == 0x3A || p == 0x2F
                || p == 0x201C || p == 0x2018 || p == 0x22 || p == 0x27 || p == 0xAB
        }
        func canClose(_ i: Int) -> Bool {
            let p = prev(i), q = next(i)
            if isSpace(p) { return false }
            return !isLetterOrDigit(q)
        }
        func emit(_ open: (family: Family, open: Int, continues: Bool), closeAt: Int?, end: Int) {
            let start = open.open + 1
            guard end > start else { return }
            result.append(QuoteSpan(start: start, end: end, openMark: open.open, closeMark: closeAt, continuesPrevious: open.continues))
        }
        /// True when the paragraph starting after the newline at `i` opens with an opening mark
        /// of `family`.
        func nextParagraphOpens(after i: Int, family: Family) -> Int? {
            var j = i + 1
            while j < n, isSpace(s[j]) { j += 1 }
            guard j < n else { return nil }
            switch classify(s[j]) {
            case .open(let f) where f == family: return j
            case .either(let f) where f == family && canOpen(j): return j
            default: return nil
            }
        }

        var i = 0
        // Read once: each read of the global goes through its lazy initializer's check.
        let scalarKernels = ByteScan.forceScalar
        while i < n {
            if let ascii = asciiUTF8 {
                i = ByteScan.quoteRunEnd(in: ascii, from: i, scalar: scalarKernels)
                if i >= n { break }
            }
            let c = s[i]
            // Neither a line break nor a mark (the smallest non-ASCII mark is «, U+00AB): nothing
            // to do. The stack cap below is applied at the next character that is one.
            if c < 0xAB, c != 0x0A, c != 0x22, c != 0x27 { i += 1; continue }
            // Real quotes nest two or three deep; a deeper stack is stray marks. Capping it keeps
            // every step O(1), so the scan stays linear on adversarial input.
            if stack.count > maxDepth { stack.removeLast(stack.count - maxDepth) }
            if c == 0x0A {
                // Inner quotes never cross a paragraph; the outermost may continue.
                if let outer = stack.first {
                    stack.removeAll()
                    if let j = nextParagraphOpens(after: i, family: outer.family) {
                        var end = i
                        while end > outer.open + 1, isSpace(s[end - 1]) { end -= 1 }
                        emit(outer, closeAt: nil, end: end)
                        stack = [(outer.family, j, true)]
                        i = j + 1
                        continue
                    }
                    // Unbalanced: the opening mark was stray; recover here.
                }
                i += 1
                continue
            }
            // Two apostrophes ('') are one straight double mark, as some wires print them.
            var mark = classify(c)
            var width = 1
            if c == 0x27, i + 1 < n, s[i + 1] == 0x27 {
                mark = .either(.double)
                width = 2
            }
            if width == 2 {
                let p = prev(i), q = i + 2 < n ? s[i + 2] : 0x20
                let opens = !isSpace(q) && !isLetterOrDigit(p)
                let closes = !isSpace(p) && !isLetterOrDigit(q)
                if let k = stack.lastIndex(where: { $0.family == .double }), closes || !opens {
                    let open = stack[k]
                    stack.removeSubrange(k...)
                    if k == 0 { emit(open, closeAt: i, end: i) }
                } else if opens {
                    stack.append((.double, i + 1, false))  // the quote starts after both marks
                }
                i += 2
                continue
            }
            switch mark {
            case .none:
                break
            case .open(let f):
                if f == .single, !stack.isEmpty || canOpen(i) {
                    stack.append((f, i, false))
                } else if f != .single {
                    stack.append((f, i, false))
                }
            case .close(let f):
                if let k = stack.lastIndex(where: { $0.family == f }) {
                    if f == .single, isLetterOrDigit(next(i)) { break }  // an apostrophe inside a word
                    let open = stack[k]
                    stack.removeSubrange(k...)
                    if k == 0 { emit(open, closeAt: i, end: i) }
                }  // else a stray closer: ignored
            case .either(let f):
                let top = stack.last
                if f == .single {
                    // Between letters it is an apostrophe (don't, O'Brien).
                    if isLetterOrDigit(prev(i)), isLetterOrDigit(next(i)) { break }
                    if let k = stack.lastIndex(where: { $0.family == .single }), canClose(i), k == stack.count - 1 {
                        let open = stack[k]
                        stack.removeSubrange(k...)
                        if k == 0 { emit(open, closeAt: i, end: i) }
                    } else if canOpen(i), isLetterOrDigit(next(i)) || classify(next(i)).isOpening {
                        stack.append((.single, i, false))
                    }
                    break
                }
                if top?.family == .double, canClose(i) || !canOpen(i) {
                    let k = stack.count - 1
                    let open = stack[k]
                    stack.removeSubrange(k...)
                    if k == 0 { emit(open, closeAt: i, end: i) }
                } else if let k = stack.lastIndex(where: { $0.family == .double }), canClose(i) {
                    let open = stack[k]
                    stack.removeSubrange(k...)
                    if k == 0 { emit(open, closeAt: i, end: i) }
                } else if canOpen(i) {
                    if stack.isEmpty, isDigit(prev(i)) { break }  // 6" pipe: an inch sign
                    stack.append((.double, i, false))
                }
            }
            i += 1
        }
        // End of text with a quote open: same recovery as a paragraph end.
        return result
    }
}

extension QuoteScanner.Mark {
    var isOpening: Bool {
        if case .open = self { return true }
        if case .either = self { return true }
        return false
    }
}
