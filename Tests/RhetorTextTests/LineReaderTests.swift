import Foundation
import Testing
@testable import RhetorText

/// `LineReader` hands out every line exactly once, with its number, whatever the chunk size:
/// lines across chunk boundaries, lines longer than a chunk, CRLF endings, empty lines and a last
/// line without a line feed.
struct LineReaderTests {
    /// Writes `bytes` to a temporary file and reads it back line by line with `chunkSize`.
    func lines(of bytes: [UInt8], chunkSize: Int, viaNext: Bool) throws -> [(Int, [UInt8])] {
        try linesWithASCII(of: bytes, chunkSize: chunkSize, viaNext: viaNext).map { ($0.0, $0.1) }
    }

    /// `lines`, each with the reader's `lastLineIsASCII` after handing it out.
    func linesWithASCII(of bytes: [UInt8], chunkSize: Int, viaNext: Bool) throws -> [(Int, [UInt8], Bool)] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rhetor-linereader-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let reader = LineReader(handle: handle, chunkSize: chunkSize)
        var out: [(Int, [UInt8], Bool)] = []
        if viaNext {
            while let (n, b) = reader.next() { out.append((n, Array(b), reader.lastLineIsASCII)) }
        } else {
            while let (n, b) = reader.withNextLine({ n, b in (n, Array(b)) }) { out.append((n, b, reader.lastLineIsASCII)) }
        }
        #expect(reader.bytesRead == bytes.count)
        return out
    }

    /// What splitting on `\n` (dropping one `\r` before it, and a final empty piece) gives.
    func expected(_ bytes: [UInt8]) -> [[UInt8]] {
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
    }

    @Test func everyLineOnceAtEveryChunkSize() throws {
        let text = Array("first\r\nsecond line\n\nthird, longer than a chunk of a few bytes\r\n\nlast without newline".utf8)
        for chunk in [1, 2, 3, 5, 7, 16, 64, 4096] {
            for viaNext in [true, false] {
                let got = try lines(of: text, chunkSize: chunk, viaNext: viaNext)
                #expect(got.map(\.1) == expected(text), "chunk \(chunk)")
                #expect(got.map(\.0) == Array(1...got.count), "chunk \(chunk)")
            }
        }
    }

    @Test func randomBytesSplitLikeASplitOnLineFeeds() throws {
        var rng = SplitMix64(seed: 29)
        for round in 0..<40 {
            let n = Int(rng.next() % 600)
            // Mostly letters, some line feeds and carriage returns.
            let bytes = (0..<n).map { _ -> UInt8 in
                switch rng.next() % 10 { case 0: 0x0A; case 1: 0x0D; default: UInt8(0x61 + rng.next() % 26) }
            }
            let chunk = Int(rng.next() % 40) + 1
            let got = try lines(of: bytes, chunkSize: chunk, viaNext: round % 2 == 0)
            #expect(got.map(\.1) == expected(bytes), "round \(round), chunk \(chunk)")
        }
    }

    /// `lastLineIsASCII` says whether each line (a non-ASCII byte anywhere in it, or none) is all
    /// ASCII, whatever the chunk size.
    @Test func eachLineSaysWhetherItIsASCII() throws {
        var rng = SplitMix64(seed: 31)
        for round in 0..<40 {
            let n = Int(rng.next() % 600)
            let bytes = (0..<n).map { _ -> UInt8 in
                switch rng.next() % 40 { case 0, 1, 2: 0x0A; case 3: 0xC3; case 4: 0x0D; default: UInt8(0x61 + rng.next() % 26) }
            }
            let chunk = Int(rng.next() % 40) + 1
            let got = try linesWithASCII(of: bytes, chunkSize: chunk, viaNext: round % 2 == 0)
            #expect(got.map(\.1) == expected(bytes), "round \(round)")
            #expect(got.map(\.2) == got.map { $0.1.allSatisfy { $0 < 0x80 } }, "round \(round), chunk \(chunk)")
        }
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try lines(of: [], chunkSize: 8, viaNext: true).isEmpty)
        #expect(try lines(of: [0x0A], chunkSize: 8, viaNext: false).map(\.1) == [[]])
    }
}
