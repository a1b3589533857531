import _RhetorKernels

extension Bool {
    /// 1 for true, 0 for false, as a number to compute with (no jump).
    @inline(__always)
    var bit: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}

/// Builds JSON text byte-exactly: keys in the order written, numbers in a fixed format.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// An integer in decimal, written without making a String of it.
    public mutating func integer(_ n: Int) { Self.appendInteger(n, to: &bytes) }

    /// A JSON string literal, escaping `"`, `\` and control characters; invalid UTF-8 never
    /// reaches here (Swift strings are valid).
    ///
    /// The runs between bytes that need escaping are found 16 bytes at a time
    /// (`ByteScan.jsonStringStop`, the JSON reader's kernel: it stops at exactly those bytes)
    /// and appended whole; the escaped bytes are written as `escape` writes them. One append
    /// per byte, with its uniqueness and capacity checks, cost ~57 instructions a byte of a
    /// quote line (callgrind, 19,043 Reuters articles).
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            bytes.append(0x22)
            // Short strings (keys, most labels): a byte at a time is cheaper than the search.
            guard u.count > 16 else {
                for b in u { Self.escape(byte: b) { bytes.append($0) } }
                bytes.append(0x22)
                return
            }
            bytes.reserveCapacity(bytes.count + u.count + 1)
            Self.forEachRun(in: u, run: { bytes.append(contentsOf: $0) }, escaped: { Self.escape(byte: $0) { bytes.append($0) } })
            bytes.append(0x22)
        }
    }

    /// Calls `run` with each stretch of `u` that needs no escaping and `escaped` with each byte
    /// that does, in order; the stretches are found 16 bytes at a time by
    /// `ByteScan.jsonStringStop`, which stops at exactly the bytes `escape` escapes.
    @inline(__always)
    static func forEachRun(in u: UnsafeBufferPointer<UInt8>, run: (UnsafeBufferPointer<UInt8>) -> Void, escaped: (UInt8) -> Void) {
        var i = 0
        while i < u.count {
            let stop = ByteScan.jsonStringStop(in: u, from: i)
            if stop > i { run(UnsafeBufferPointer(rebasing: u[i..<stop])) }
            guard stop < u.count else { break }
            escaped(u[stop])
            i = stop + 1
        }
    }

    /// The JSON escaping of a string's bytes (without the quotes), one byte at a time: the plain
    /// reference `string(_:)` must agree with.
    @inline(__always)
    static func escape(_ s: String, _ emit: (UInt8) -> Void) {
        for b in s.utf8 { escape(byte: b, emit) }
    }

    /// The JSON escaping of one byte: itself, or its escape sequence.
    @inline(__always)
    static func escape(byte b: UInt8, _ emit: (UInt8) -> Void) {
        switch b {
        case 0x22: emit(0x5C); emit(0x22)
        case 0x5C: emit(0x5C); emit(0x5C)
        case 0x0A: emit(0x5C); emit(0x6E)
        case 0x0D: emit(0x5C); emit(0x72)
        case 0x09: emit(0x5C); emit(0x74)
        case 0..<0x20:
            let hex: StaticString = "0123456789abcdef"
            emit(0x5C); emit(0x75); emit(0x30); emit(0x30)
            emit(hex.utf8Start[Int(b >> 4)]); emit(hex.utf8Start[Int(b & 15)])
        default: emit(b)
        }
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

    /// Appends `x` rounded to `decimals` places (the format `number` describes).
    static func appendNumber(_ x: Double, decimals: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: LineCursor.numberBytes) { buffer in
            let n = writeNumber(x, decimals: decimals, to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Writes the text of `x` rounded to `decimals` places to `p` (room for
    /// `LineCursor.numberBytes`) and returns its length: no intermediate strings or arrays.
    static func writeNumber(_ x: Double, decimals: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        guard x.isFinite, decimals >= 0, decimals < powers.count, abs(x) < 9e15 / powers[decimals] else {
            // At most 24 bytes ("-1.7976931348623157e+308").
            let text = x.isFinite ? String(x) : "null"
            var n = 0
            for b in text.utf8 { p[n] = b; n += 1 }
            return n
        }
        // Scores are written with 4 decimals: with the scale a constant there, its divisions
        // compile to multiplications.
        if decimals == 4 { return writeFixed4(x, to: p) }
        return writeFixed(x, scale: UInt64(powers[decimals]), decimals: decimals, to: p)
    }

    /// `writeNumber` with 4 decimals (`p` has room for `LineCursor.numberBytes`). Scores lie in
    /// -1...1, so the usual number's text comes packed in a word from `fixed4Word` and is
    /// stored whole; larger magnitudes take the general path.
    @inline(__always)
    static func writeFixed4(_ x: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        guard let text = fixed4Word(x, pairs: digitTables.pairs) else { return writeFixed(x, scale: 10_000, decimals: 4, to: p) }
        UnsafeMutableRawPointer(p).storeBytes(of: text.word.littleEndian, as: UInt64.self)
        return text.length
    }

    /// `y` rounded half away from zero, as `rounded()` does, without its libm call on baseline
    /// x86-64 (no `roundsd`): truncate, then step when the dropped part is at least one half
    /// (exact for |y| < 2^53: y minus its integer part is representable). The step is
    /// arithmetic on the two comparisons, not a jump: for scores it goes either way at random.
    @inline(__always)
    static func roundedHalfAwayFromZero(_ y: Double) -> Int64 {
        let r = Int64(y)
        let dropped = y - Double(r)
        return r &+ Int64(truncatingIfNeeded: (dropped >= 0.5).bit) &- Int64(truncatingIfNeeded: (dropped <= -0.5).bit)
    }

    /// The text `writeFixed4` writes for a score `x` (finite, within -1...1) packed
    /// little-endian in a word, with its length: at most 7 bytes ("-0.dddd"). Nil for any
    /// other `x`. No jump depends on the score's digits or sign (a score's sign is a coin
    /// toss to the branch predictor): the batch writer packs a block's scores in one loop and
    /// then stores each word whole.
    @inline(__always)
    static func fixed4Word(_ x: Double, pairs: UnsafePointer<UInt8>) -> (word: UInt64, length: Int)? {
        guard x.isFinite, x.magnitude <= 1 else { return nil }
        let r = roundedHalfAwayFromZero(x * 10_000)
        let m = Int(truncatingIfNeeded: r.magnitude)
        // 0 and 10,000 ("0" and "1") are rare; the pair table ends at 99.
        let inside = m != 0 && m != 10_000
        let d = inside ? m : 1
        let high = d / 100, low = d &- high &* 100
        let digits = UInt32(digitPair(high, pairs: pairs)) | UInt32(digitPair(low, pairs: pairs)) &<< 16
        // "0." then the digits; digit k is byte k, and d is not 0, so one digit is not "0".
        let trailingZeros = (digits &- 0x3030_3030).leadingZeroBitCount &>> 3
        var word = 0x2E30 | UInt64(digits) &<< 16
        var length = 6 &- trailingZeros
        if !inside {
            word = m == 0 ? 0x30 : 0x31
            length = 1
        }
        // A negative score that rounds to 0 is "0", as `writeFixed` writes it.
        let negative = r < 0
        word = negative ? word &<< 8 | 0x2D : word
        return (word, length &+ negative.bit)
    }

    /// `writeNumber` for a finite `x` with `|x| x scale < 9e15`, `scale` = 10^decimals.
    @inline(__always)
    static func writeFixed(_ x: Double, scale: UInt64, decimals: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let r = roundedHalfAwayFromZero(x * Double(scale))
        if r == 0 { p[0] = 0x30; return 1 }
        var n = 0
        if r < 0 { p[0] = 0x2D; n = 1 }
        let magnitude = r.magnitude
        n += writeDigits(magnitude / scale, minimumCount: 1, to: p + n)
        var fraction = magnitude % scale
        guard fraction != 0 else { return n }
        var width = decimals
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        p[n] = 0x2E
        n += 1
        return n + writeDigits(fraction, minimumCount: width, to: p + n)
    }

    /// Writes the decimal digits of `v`, zero-padded on the left to `minimumCount` (at most 20),
    /// to `p` and returns how many.
    ///
    /// Two digits per division by 100, from a table of the pairs "00"..."99", and the digit count
    /// from the bit length (`decimalDigits`), where a division per digit first counted the
    /// digits and then wrote them (~110 instructions for a 6-digit line number, callgrind).
    @inline(__always)
    static func writeDigits(_ v: UInt64, minimumCount: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        writeDigits(v, minimumCount: minimumCount, to: p, tables: digitTables)
    }

    /// `writeDigits` with `digitTables` at hand (read once by the caller).
    @inline(__always)
    static func writeDigits(_ v: UInt64, minimumCount: Int, to p: UnsafeMutablePointer<UInt8>,
                            tables: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>)) -> Int {
        let count = max(decimalDigits(v, powersOfTen: tables.powersOfTen), min(minimumCount, 20))
        let pairs = tables.pairs
        var rest = v
        var i = count
        while rest >= 100 {
            let q = rest / 100
            let r = Int(truncatingIfNeeded: rest &- q &* 100) &<< 1
            i &-= 2
            p[i] = pairs[r]
            p[i &+ 1] = pairs[r &+ 1]
            rest = q
        }
        if rest >= 10 {
            let r = Int(truncatingIfNeeded: rest) &<< 1
            i &-= 2
            p[i] = pairs[r]
            p[i &+ 1] = pairs[r &+ 1]
        } else {
            i &-= 1
            p[i] = 0x30 &+ UInt8(truncatingIfNeeded: rest)
        }
        // Left padding with zeros up to `minimumCount`.
        while i > 0 {
            i &-= 1
            p[i] = 0x30
        }
        return count
    }

    /// The decimal digits of `v` (below `packedDigitsLimit`) packed little-endian in a word,
    /// the first digit in the low byte, and how many there are: kept in a register, a line
    /// number is stored whole wherever it goes. (Copying the digits `writeDigits` had stored
    /// byte by byte loaded a word from stores not yet written, which the processor cannot
    /// forward: the copy waited for them, ~1 % of a batch run's time by perf.)
    @inline(__always)
    static func packedDigits(_ v: UInt64, tables: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>)) -> (word: UInt64, count: Int) {
        let count = max(1, decimalDigits(v, powersOfTen: tables.powersOfTen))
        func pair(_ x: UInt64) -> UInt64 { UInt64(digitPair(Int(truncatingIfNeeded: x), pairs: tables.pairs)) }
        // Eight digits, zero-padded, as four pairs; then the padding shifted out.
        let top = v / 1_000_000, rest = v &- top &* 1_000_000
        let second = rest / 10_000, low = rest &- second &* 10_000
        let third = low / 100, fourth = low &- third &* 100
        let word = pair(top) | pair(second) &<< 16 | pair(third) &<< 32 | pair(fourth) &<< 48
        return (word &>> UInt64(8 &* (8 &- count)), count)
    }

    /// The two digits of `x` (0...99) as the pair table holds them, the tens digit in the low
    /// byte.
    @inline(__always)
    static func digitPair(_ x: Int, pairs: UnsafePointer<UInt8>) -> UInt16 {
        UnsafeRawPointer(pairs).loadUnaligned(fromByteOffset: x &<< 1, as: UInt16.self)
    }

    /// `packedDigits` takes numbers below this: eight digits fill its word.
    static let packedDigitsLimit: UInt64 = 100_000_000

    /// The number of decimal digits of `v` (0 for 0): the bit length times log10(2) (1233/4096,
    /// exact enough below 2^64) undercounts by at most one, which one comparison settles.
    @inline(__always)
    static func decimalDigits(_ v: UInt64, powersOfTen: UnsafePointer<UInt64>) -> Int {
        let bits = 64 &- (v | 1).leadingZeroBitCount
        let guess = (bits &* 1233) &>> 12
        return guess &+ (v >= powersOfTen[guess] ? 1 : 0)
    }

    /// 10^0 ... 10^19, and "00" "01" ... "99" as 200 ASCII bytes: one lazy global (one
    /// `swift_once` check per number), never written after it is built.
    nonisolated(unsafe) static let digitTables: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>) = {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 20 * 8 + 200, alignment: 64)
        let powers = raw.bindMemory(to: UInt64.self, capacity: 20)
        var x: UInt64 = 1
        for k in 0..<20 { powers[k] = x; if k < 19 { x *= 10 } }
        let pairs = (raw + 20 * 8).bindMemory(to: UInt8.self, capacity: 200)
        for k in 0..<100 {
            pairs[2 * k] = 0x30 + UInt8(k / 10)
            pairs[2 * k + 1] = 0x30 + UInt8(k % 10)
        }
        return (UnsafePointer(powers), UnsafePointer(pairs))
    }()

    /// An integer in decimal.
    public static func appendInteger(_ n: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: LineCursor.numberBytes) { buffer in
            let k = LineCursor.writeInteger(n, to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<k]))
        }
    }

    /// A record id: a JSON string, a number as written, or null (`LineCursor.id` writes it).
    public static func appendID(_ id: RecordID, to out: inout [UInt8]) {
        let fits = LineCursor.build(capacity: LineCursor.room(for: id), appendingTo: &out) { $0.id(id) }
        precondition(fits, "LineCursor.room(for:) is a bound on what id(_:) writes")
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

/// A short output line built in a fixed stack buffer and appended to the output in one call.
///
/// A score line has a dozen pieces; appending each to an Array checks uniqueness and capacity
/// every time, which cost more than formatting the numbers. Callers size the buffer from bounds
/// (`numberBytes`, `room(for:)`); a write past the capacity sets `overflowed`, is dropped, and
/// `build` appends nothing and returns false.
struct LineCursor {
    /// Room every number needs (`JSONWriter.writeNumber`): 24 bytes at most, rounded up.
    static let numberBytes = 32

    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0
    var overflowed = false
    /// `JSONWriter.digitTables`, read from the lazy global once per cursor, not per number.
    let digits: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>)

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int, digits: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>) = JSONWriter.digitTables) {
        self.base = base
        self.capacity = capacity
        self.digits = digits
    }

    /// Runs `body` on a cursor over a stack buffer of `capacity` bytes and appends what it wrote
    /// to `out`; false (and nothing appended) when the line did not fit.
    static func build(capacity: Int, appendingTo out: inout [UInt8], _ body: (inout LineCursor) -> Void) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var cursor = LineCursor(base: buffer.baseAddress!, capacity: capacity)
            body(&cursor)
            guard !cursor.overflowed else { return false }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<cursor.count]))
            return true
        }
    }

    @inline(__always)
    mutating func room(_ n: Int) -> Bool {
        if count + n > capacity { overflowed = true }
        return !overflowed
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard room(bytes.count) else { return }
        (base + count).update(from: bytes.baseAddress!, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { put($0) }
    }

    @inline(__always)
    mutating func put(_ s: StaticString) {
        put(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func integer(_ n: Int) {
        guard room(Self.numberBytes) else { return }
        count += Self.writeInteger(n, to: base + count, tables: digits)
    }

    mutating func number(_ x: Double, decimals: Int) {
        guard room(Self.numberBytes) else { return }
        count += JSONWriter.writeNumber(x, decimals: decimals, to: base + count)
    }

    /// The most bytes `id(_:)` writes for `id`.
    static func room(for id: RecordID) -> Int {
        switch id {
        // Escaping at most sextuples a byte.
        case .string(let s): 2 + 6 * s.utf8.count
        case .number(let s): s.utf8.count
        case .integer: numberBytes
        case .none: 4
        }
    }

    /// A JSON string literal, escaped as `JSONWriter.string` escapes it: the runs between bytes
    /// that need escaping found 16 bytes at a time and copied whole. Needs room for six bytes
    /// per byte of `s`, plus two.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            guard room(2 + 6 * u.count) else { return }
            base[count] = 0x22; count += 1
            JSONWriter.forEachRun(in: u, run: { r in
                (base + count).update(from: r.baseAddress!, count: r.count)
                count += r.count
            }, escaped: { JSONWriter.escape(byte: $0) { base[count] = $0; count += 1 } })
            base[count] = 0x22; count += 1
        }
    }

    /// A string, or `null`.
    mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { put("null") }
    }

    /// An integer, or `null`.
    mutating func optionalInteger(_ n: Int?) {
        if let n { integer(n) } else { put("null") }
    }

    /// A record id: a JSON string, a number as written, or null.
    mutating func id(_ id: RecordID) {
        switch id {
        case .string(let s):
            guard room(Self.room(for: id)) else { return }
            base[count] = 0x22; count += 1
            JSONWriter.escape(s) { base[count] = $0; count += 1 }
            base[count] = 0x22; count += 1
        case .number(let s):
            guard room(Self.room(for: id)) else { return }
            for b in s.utf8 { base[count] = b; count += 1 }
        case .integer(let n): integer(n)
        case .none: put("null")
        }
    }

    /// Writes `n` in decimal to `p` (room for `numberBytes`) and returns the length.
    static func writeInteger(_ n: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        writeInteger(n, to: p, tables: JSONWriter.digitTables)
    }

    /// `writeInteger` with `JSONWriter.digitTables` at hand.
    static func writeInteger(_ n: Int, to p: UnsafeMutablePointer<UInt8>, tables: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>)) -> Int {
        if n < 0 {
            p[0] = 0x2D
            return 1 + JSONWriter.writeDigits(UInt64(n.magnitude), minimumCount: 1, to: p + 1, tables: tables)
        }
        return JSONWriter.writeDigits(UInt64(n), minimumCount: 1, to: p, tables: tables)
    }
}
