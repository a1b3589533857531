import Foundation
import _RhetorKernels

/// Reads a file descriptor in fixed-size chunks and hands out complete lines with their
/// 1-based numbers, so memory stays bounded by the chunk size plus the longest line. One thread
/// reads at a time (it is not Sendable), so the dynamic exclusivity checks on its state are off.
public final class LineReader {
    let handle: FileHandle
    let chunkSize: Int
    /// The read buffer, managed by hand rather than an Array: an Array property read inside
    /// `withUnsafeBufferPointer` is retained and released around every line.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) var capacity: Int
    /// Bytes held in `base[0..<count]`, of which `base[position..<count]` are not handed out yet.
    @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) var position = 0
    @exclusivity(unchecked) var eof = false
    @exclusivity(unchecked) public private(set) var lineNumber = 0
    /// Bytes consumed so far (for progress reports).
    @exclusivity(unchecked) public private(set) var bytesRead = 0
    /// True when the line handed out last is all ASCII (then it is valid UTF-8 without a
    /// second look): found by the same scan that finds its end (`ByteScan.lineEnd`).
    @exclusivity(unchecked) public private(set) var lastLineIsASCII = false
    /// `ByteScan.forceScalar`, read once.
    let scalarKernels = ByteScan.forceScalar

    public init(handle: FileHandle, chunkSize: Int = 1 << 20) {
        self.handle = handle
        self.chunkSize = chunkSize
        capacity = chunkSize
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// The next line without its `\n` (and without a `\r` before it), or nil at the end.
    public func next() -> (line: Int, bytes: ArraySlice<UInt8>)? {
        guard let (line, range) = advance() else { return nil }
        return (line, ArraySlice(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)))
    }

    /// Calls `body` with the next line (as `next()` gives it) while its bytes sit in the read
    /// buffer, valid during the call only; nil at the end. No copy and no reference counting per
    /// line: the score pipeline copies each line once, into its batch. Inlinable, so the
    /// caller's closure is specialized in rather than called through a generic context.
    @inlinable
    public func withNextLine<R>(_ body: (_ line: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard let (line, range) = advance() else { return nil }
        return try body(line, UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Finds the next line in the buffer, reading more when needed: its number and where it
    /// lies in `base`.
    @usableFromInline
    func advance() -> (line: Int, range: Range<Int>)? {
        while true {
            let start = position
            let scan = ByteScan.lineEnd(in: UnsafeBufferPointer(start: base, count: count), from: start, scalar: scalarKernels)
            let found = scan.index
            lastLineIsASCII = scan.ascii
            if found < count {
                var end = found
                if end > position, base[end - 1] == 0x0D { end -= 1 }
                position = found + 1
                lineNumber += 1
                return (lineNumber, start..<end)
            }
            if eof {
                guard position < count else { return nil }
                var end = count
                if base[end - 1] == 0x0D { end -= 1 }
                position = count
                lineNumber += 1
                return (lineNumber, start..<end)
            }
            // Drop consumed bytes, then read more.
            if position > 0 {
                memmove(base, base + position, count - position)
                count -= position
                position = 0
            }
            let got = readChunk()
            if got == 0 { eof = true } else { bytesRead += got }
        }
    }

    /// Reads up to `chunkSize` bytes with `read(2)` straight onto the end of the buffer (grown
    /// only when a line is longer than what it holds): no `Data` in between, so no second and
    /// third copy of every byte and no fresh megabyte allocation per chunk. Returns 0 at the end
    /// of input; a read error other than EINTR stops the process with the error's name, as
    /// `FileHandle` would.
    func readChunk() -> Int {
        if count + chunkSize > capacity {
            capacity = max(2 * capacity, count + chunkSize)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.initialize(from: base, count: count)
            base.deallocate()
            base = bigger
        }
        let fd = handle.fileDescriptor
        var got = -1
        while got < 0 {
            got = read(fd, base + count, chunkSize)
            if got < 0, errno != EINTR { preconditionFailure("cannot read input: \(String(cString: strerror(errno)))") }
        }
        count += got
        return got
    }
}
