/// The constant pieces of a JSON score line (`{"line":`, `,"id":`, each output's
/// `,"<name>":`, and the end `,"model":"<tag>"}` with its newline), laid out so the block
/// writer copies each with whole 16-byte loads and stores instead of a `memmove` call.
///
/// Every piece starts a 16-byte slot of one allocation and is padded with zeros to whole slots.
/// A copy moves whole slots and the writer then steps forward by the piece's true length, so
/// what a slot writes past the piece is overwritten by what follows; past the line's last piece
/// it writes at most `overrun` bytes, which the line's capacity bound leaves room for. Five
/// `memmove` calls per line (with their PLT jumps) cost ~60 of the ~890 instructions a score
/// line took (callgrind, 500k Reuters sentences).
final class ScoreLinePieces: @unchecked Sendable {
    /// Bytes a piece's copy may write past the piece: up to a whole slot less one.
    static let overrun = 16
    static let slot = 16

    /// The slots; never written after `init`, so threads share it.
    private let storage: UnsafeMutablePointer<UInt8>
    private let storageCount: Int
    /// Where each output's key piece starts in `storage`, and its length.
    let keyStarts: [Int]
    let keyLengths: [Int]
    let endStart: Int
    let endLength: Int
    /// The end's bytes before its closing brace: a line an explanation follows stops there.
    let endBeforeBrace: Int

    /// `keys[o]` is output `o`'s `,"<name>":`; `end` is the line's end, of which the first
    /// `endBeforeBrace` bytes come before the closing brace.
    init(keys: [[UInt8]], end: [UInt8], endBeforeBrace: Int) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        func add(_ piece: [UInt8]) -> Int {
            let start = bytes.count
            bytes.append(contentsOf: piece)
            let padded = (piece.count + Self.slot - 1) / Self.slot * Self.slot
            bytes.append(contentsOf: repeatElement(0, count: max(padded, Self.slot) - piece.count))
            return start
        }
        for k in keys { starts.append(add(k)) }
        keyStarts = starts
        keyLengths = keys.map(\.count)
        endStart = add(end)
        endLength = end.count
        self.endBeforeBrace = endBeforeBrace
        storageCount = bytes.count
        storage = .allocate(capacity: bytes.count)
        storage.initialize(from: bytes, count: bytes.count)
    }

    deinit { storage.deallocate() }

    /// Copies the piece at `start` (`count` bytes) to `p` in whole slots (writing up to
    /// `overrun - 1` bytes past it) and returns `count`.
    @inline(__always)
    func copy(from start: Int, count: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var k = 0
        repeat {
            Self.copySlot(from: storage + start + k, to: p + k)
            k &+= Self.slot
        } while k < count
        return count
    }

    /// One 16-byte unaligned load and store.
    @inline(__always)
    static func copySlot(from s: UnsafePointer<UInt8>, to p: UnsafeMutablePointer<UInt8>) {
        let v = UnsafeRawPointer(s).loadUnaligned(as: SIMD16<UInt8>.self)
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<UInt8>.self)
    }

    /// A score as `writeLine` takes it: its text packed in a word (`JSONWriter.fixed4Word`)
    /// when the score is finite and within -1...1, as scores are; else the value, which the
    /// general writer writes as `JSONWriter.writeNumber(x, decimals: 4)` would.
    struct PackedScore {
        var word: UInt64
        /// The text's length in bytes; 0 when the general writer writes `value`.
        var length: Int
        var value: Double

        @inline(__always)
        init(_ x: Double, pairs: UnsafePointer<UInt8>) {
            let packed = JSONWriter.fixed4Word(x, pairs: pairs)
            word = packed?.word ?? 0
            length = packed?.length ?? 0
            value = x
        }

        /// Writes the score's text at `p` (room for `LineCursor.numberBytes`; a packed text
        /// stores a whole word) and returns its length.
        @inline(__always)
        func write(to p: UnsafeMutablePointer<UInt8>) -> Int {
            guard length > 0 else { return JSONWriter.writeNumber(value, decimals: 4, to: p) }
            UnsafeMutableRawPointer(p).storeBytes(of: word.littleEndian, as: UInt64.self)
            return length
        }
    }

    /// `{"line":` as one little-endian word.
    static let lineKey: UInt64 = 0x3A22_656E_696C_227B
    /// `,"id":` in the low six bytes of a word (the two above are overwritten by the id).
    static let idKey: UInt64 = 0x3A22_6469_222C

    /// Writes a score line `{"line":L,"id":I,"<out>":S,...,"model":"<tag>"}\n` at `p` (with
    /// room for the line's bound, `overrun` included) and returns its length; with `explained`,
    /// the line stops before its closing brace (an explanation follows). `id` is written by
    /// `writeID` unless it is the line number, whose digits are then written again; `scores[o]` is
    /// output `o`'s score, written with 4 decimals.
    @inline(__always)
    func writeLine(to p: UnsafeMutablePointer<UInt8>, line: Int, idIsLine: Bool, explained: Bool = false,
                   digits: (powersOfTen: UnsafePointer<UInt64>, pairs: UnsafePointer<UInt8>),
                   writeID: (UnsafeMutablePointer<UInt8>) -> Int, scores: UnsafePointer<PackedScore>) -> Int {
        UnsafeMutableRawPointer(p).storeBytes(of: Self.lineKey.littleEndian, as: UInt64.self)
        var n = 8
        if line >= 0, UInt64(line) < JSONWriter.packedDigitsLimit {
            // Every line number in practice: its digits stored from a register, twice when the
            // id is the line number.
            let lineDigits = JSONWriter.packedDigits(UInt64(line), tables: digits)
            UnsafeMutableRawPointer(p + n).storeBytes(of: lineDigits.word.littleEndian, as: UInt64.self)
            n &+= lineDigits.count
            UnsafeMutableRawPointer(p + n).storeBytes(of: Self.idKey.littleEndian, as: UInt64.self)
            n &+= 6
            if idIsLine {
                UnsafeMutableRawPointer(p + n).storeBytes(of: lineDigits.word.littleEndian, as: UInt64.self)
                n &+= lineDigits.count
            } else {
                n &+= writeID(p + n)
            }
        } else {
            let lineDigits = LineCursor.writeInteger(line, to: p + n, tables: digits)
            n &+= lineDigits
            UnsafeMutableRawPointer(p + n).storeBytes(of: Self.idKey.littleEndian, as: UInt64.self)
            n &+= 6
            n &+= idIsLine ? LineCursor.writeInteger(line, to: p + n, tables: digits) : writeID(p + n)
        }
        for o in 0..<keyStarts.count {
            n &+= copy(from: keyStarts[o], count: keyLengths[o], to: p + n)
            n &+= scores[o].write(to: p + n)
        }
        n &+= copy(from: endStart, count: explained ? endBeforeBrace : endLength, to: p + n)
        return n
    }
}
