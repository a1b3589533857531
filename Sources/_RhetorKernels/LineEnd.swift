import CRhetorSIMD

/// Where a line ends, and whether it is ASCII: the line reader's scan, which thereby tells the
/// score pipeline which lines need no UTF-8 validation (a second pass over each line, ~200
/// instructions per Reuters sentence, callgrind).
public struct LineEnd: Sendable, Equatable {
    /// The index of the line's `\n`, or the end of the bytes when there is none.
    public var index: Int
    /// True when every byte from the scan's start to `index` is below 0x80.
    public var ascii: Bool

    @inlinable
    public init(index: Int, ascii: Bool) {
        self.index = index
        self.ascii = ascii
    }
}

extension ByteScan {
    /// The first `\n` at or after `from` (or `bytes.count`), and whether the bytes before it
    /// from `from` are all ASCII.
    ///
    ///     i = from, high = 0
    ///     while i + 16 <= n:                       # SSE2: compare, two movemasks
    ///         (newline, top) = masks of load16(i)
    ///         if newline != 0:
    ///             k = first set bit of newline
    ///             return (i + k, (high | top below bit k) == 0)
    ///         high |= top; i += 16
    ///     scalar scan from i
    @inlinable
    public static func lineEnd(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0, scalar: Bool = forceScalar) -> LineEnd {
        scalar ? lineEndScalar(in: bytes, from: from) : lineEndSIMD(in: bytes, from: from)
    }

    @inlinable
    public static func lineEndSIMD(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> LineEnd {
        #if arch(x86_64)
        let n = bytes.count
        guard let base = bytes.baseAddress, from < n else { return LineEnd(index: n, ascii: true) }
        var i = max(0, from)
        var high: UInt32 = 0
        while i &+ 16 <= n {
            let b = rhetor_line_block16(base + i)
            if b.newline != 0 {
                let k = UInt32(b.newline.trailingZeroBitCount)
                high |= b.high & ((1 &<< k) &- 1)
                return LineEnd(index: i &+ Int(k), ascii: high == 0)
            }
            high |= b.high
            i &+= 16
        }
        let tail = lineEndScalar(in: bytes, from: i)
        return LineEnd(index: tail.index, ascii: tail.ascii && high == 0)
        #else
        return lineEndScalar(in: bytes, from: from)
        #endif
    }

    /// The scalar twin of `lineEndSIMD`.
    @inlinable
    public static func lineEndScalar(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> LineEnd {
        var i = max(0, from)
        var high: UInt8 = 0
        while i < bytes.count, bytes[i] != 0x0A {
            high |= bytes[i]
            i += 1
        }
        return LineEnd(index: min(i, bytes.count), ascii: high < 0x80)
    }
}
