import ArgumentParser
import Foundation
import Rhetor

/// Finds the default model and lexicon directories: flag, environment variable, next to the
/// executable (and its parents, for a build inside the package), then the current directory.
enum DataLocator {
    static let defaultModel = "models/rhetor-news"

    static func candidates(_ relative: String) -> [URL] {
        var out: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            out.append(dir.appendingPathComponent(relative))
            dir = dir.deletingLastPathComponent()
        }
        out.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative))
        return out
    }

    static func find(flag: String?, env: String, relative: String, marker: String) throws -> URL {
        if let flag { return URL(fileURLWithPath: flag) }
        if let v = ProcessInfo.processInfo.environment[env], !v.isEmpty { return URL(fileURLWithPath: v) }
        let tried = candidates(relative)
        for c in tried where FileManager.default.fileExists(atPath: c.appendingPathComponent(marker).path) { return c }
        throw UsageFailure("cannot find \(relative); looked in $\(env) and \(tried.map(\.path).joined(separator: ", ")). Pass the directory with a flag.")
    }

    static func modelDirectory(_ flag: String?) throws -> URL {
        try find(flag: flag, env: "RHETOR_MODEL", relative: defaultModel, marker: "manifest.json")
    }

    static func lexiconDirectory(_ flag: String?) throws -> URL {
        try find(flag: flag, env: "RHETOR_LEXICONS", relative: "lexicons", marker: "hostility.tsv")
    }

    static func dataDirectory(_ flag: String?) throws -> URL {
        try find(flag: flag, env: "RHETOR_DATA", relative: "../shared/data", marker: "README.md")
    }

    static func loadModel(model: String?, lexicons: String?) throws -> LinearModel {
        let m = try modelDirectory(model)
        // Default lexicons: the project's lexicons/ beside models/.
        let lex = try lexicons.map { URL(fileURLWithPath: $0) }
            ?? (ProcessInfo.processInfo.environment["RHETOR_LEXICONS"].map { URL(fileURLWithPath: $0) })
            ?? {
                let sibling = m.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lexicons")
                if FileManager.default.fileExists(atPath: sibling.appendingPathComponent("hostility.tsv").path) { return sibling }
                return try lexiconDirectory(nil)
            }()
        return try LinearModel.load(directory: m, lexiconDirectory: lex)
    }
}

/// A usage or I/O failure before any work: message to stderr, exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Writes output bytes to standard output straight from the array's storage
/// (`writeStandardOutput(parts:)`; `FileHandle.write` took a `Data` copy of each ~1 MB batch
/// first). A failed write (a closed pipe, a full disk) ends the run with a message and exit
/// status 1: output is never cut short in silence.
func writeStandardOutput(_ bytes: [UInt8]) {
    writeStandardOutput(parts: [bytes])
}

/// Writes a batch's output parts to standard output, in order, with `writev(2)`: one system
/// call for the batch's blocks, and no copy into one array first (callgrind, 500k sentences:
/// the copy was 55M instructions). Failures end the run as `writeStandardOutput`'s do.
func writeStandardOutput(parts: [[UInt8]]) {
    // Linux's UIO_MAXIOV, the most vectors one call takes (IOV_MAX in <limits.h>, which the
    // Glibc module does not export); a batch has 33 parts at most.
    let maxVectors = 1024
    var vectors: [iovec] = []
    vectors.reserveCapacity(parts.count)
    withBuffers(of: parts[...], collecting: &vectors) { vectors in
        var first = 0
        while first < vectors.count {
            let n = writev(1, vectors.baseAddress! + first, Int32(min(vectors.count - first, maxVectors)))
            if n < 0 {
                if errno == EINTR { continue }
                printError("rhetor: cannot write the output: \(String(cString: strerror(errno)))")
                exit(1)
            }
            // Step over what was written: whole vectors, then part of the next.
            var left = n
            while first < vectors.count, left >= vectors[first].iov_len {
                left -= vectors[first].iov_len
                first += 1
            }
            if left > 0 {
                vectors[first].iov_base = vectors[first].iov_base.map { $0 + left }
                vectors[first].iov_len -= left
            }
        }
    }
}

/// Calls `body` with an `iovec` for each part's bytes, each part's storage held in place by
/// nested `withUnsafeBufferPointer` calls for the duration (empty parts are left out).
private func withBuffers(of parts: ArraySlice<[UInt8]>, collecting vectors: inout [iovec], _ body: (UnsafeMutableBufferPointer<iovec>) -> Void) {
    guard let part = parts.first else {
        vectors.withUnsafeMutableBufferPointer { body($0) }
        return
    }
    part.withUnsafeBufferPointer { bytes in
        if let base = bytes.baseAddress, bytes.count > 0 {
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: bytes.count))
        }
        withBuffers(of: parts.dropFirst(), collecting: &vectors, body)
    }
}

/// Writes a line to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Runs a command body, mapping failures to exit status 2 with a clear message.
func runOrExit(_ body: () throws -> Int32) throws {
    let code: Int32
    do { code = try body() } catch let e as UsageFailure {
        printError("rhetor: \(e.description)")
        code = 2
    } catch let e as DataFileError {
        printError("rhetor: \(e.description)")
        code = 2
    } catch let e as InputError {
        printError("rhetor: \(e.description)")
        code = 2
    }
    if code != 0 { throw ExitCode(code) }
}

/// A one-line progress report on stderr, only when stderr is a terminal, at most twice a second.
final class Progress {
    let enabled: Bool
    /// Input bytes in all, when known (files, not pipes): adds an ETA.
    let totalBytes: Int?
    var last = ContinuousClock.now
    var shown = false

    init(enabled: Bool, totalBytes: Int? = nil) {
        self.enabled = enabled
        self.totalBytes = totalBytes
    }

    /// The summed sizes of `files`, or nil when there are none (standard input) or one is unknown.
    static func size(of files: [String]) -> Int? {
        guard !files.isEmpty else { return nil }
        var total = 0
        for f in files {
            guard let n = (try? FileManager.default.attributesOfItem(atPath: f))?[.size] as? NSNumber else { return nil }
            total += n.intValue
        }
        return total
    }

    func show(records: Int, bytes: Int, since start: ContinuousClock.Instant) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last > .milliseconds(500) else { return }
        last = now
        let d = (now - start).components
        let seconds = Double(d.seconds) + Double(d.attoseconds) / 1e18
        var line = String(format: "\r%d records, %.1f MB, %.1f MB/s, %.0f records/s", records, Double(bytes) / 1e6, Double(bytes) / 1e6 / max(seconds, 1e-9), Double(records) / max(seconds, 1e-9))
        if let total = totalBytes, bytes > 0, total >= bytes {
            line += String(format: ", ETA %.0f s", seconds * Double(total - bytes) / Double(bytes))
        }
        line += "\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Input paths as given on the command line: files stay as they are; a directory stands for the
/// regular files under it (recursively, hidden files and directories skipped), in byte order of
/// their paths so every run reads them in the same order.
enum InputPaths {
    /// Expands directories; `keep` decides which files found in a directory are read (files named
    /// explicitly are always read).
    static func expand(_ paths: [String], keep: (String) -> Bool = { _ in true }) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw UsageFailure("cannot open \(p)") }
            guard isDir.boolValue else { out.append(p); continue }
            guard let walker = fm.enumerator(at: URL(fileURLWithPath: p), includingPropertiesForKeys: [.isRegularFileKey],
                                             options: [.skipsHiddenFiles]) else { throw UsageFailure("cannot read directory \(p)") }
            var found: [String] = []
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                let path = url.path
                if keep(path) { found.append(path) }
            }
            out += found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        return out
    }
}
