import Foundation

/// An RFC 4180 CSV parser over bytes: quoted fields may hold delimiters, doubled quotes and
/// line breaks. Records are returned with the 1-based line on which they start.
public struct CSVParser: Sendable {
    public var delimiter: UInt8
    /// When false, `"` has no special meaning (for TSV files that use quotes as text).
    public var quoting: Bool

    public init(delimiter: UInt8 = UInt8(ascii: ","), quoting: Bool = true) {
        self.delimiter = delimiter
        self.quoting = quoting
    }

    /// One parsed record.
    public struct Record: Sendable {
        public var line: Int
        public var fields: [String]
        /// False when the record ended inside an open quote (end of input reached).
        public var complete: Bool
    }

    /// Parses all records in `bytes`. Invalid UTF-8 inside a field is replaced by U+FFFD.
    public func parse(_ bytes: [UInt8]) -> [Record] {
        var records: [Record] = []
        var state = State()
        bytes.withUnsafeBufferPointer { p in
            var i = 0
            // Skip a UTF-8 byte-order mark.
            if p.count >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 }
            while i < p.count {
                if let r = state.feed(p, &i, self) { records.append(r) }
            }
        }
        if let r = state.finish() { records.append(r) }
        return records
    }

    /// Incremental parser state: feed bytes, get records as they complete.
    public struct State: Sendable {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var started = false

        public init() {}

        mutating func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }

        mutating func endRecord(complete: Bool = true) -> Record? {
            endField()
            let r = Record(line: recordLine, fields: fields, complete: complete)
            fields.removeAll(keepingCapacity: true)
            started = false
            return r
        }

        /// Consumes bytes from `i`; returns a record when one ends.
        public mutating func feed(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ cfg: CSVParser) -> Record? {
            while i < p.count {
                let b = p[i]
                i += 1
                if !started { started = true; recordLine = line }
                if inQuotes {
                    if b == 0x22 {
                        if i < p.count, p[i] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                    } else {
                        if b == 0x0A { line += 1 }
                        field.append(b)
                    }
                    continue
                }
                switch b {
                case 0x22 where cfg.quoting && field.isEmpty && !fieldWasQuoted:
                    inQuotes = true
                    fieldWasQuoted = true
                case cfg.delimiter:
                    endField()
                case 0x0A:
                    line += 1
                    if field.last == 0x0D { field.removeLast() }
                    return endRecord()
                default:
                    field.append(b)
                }
            }
            return nil
        }

        /// Ends the input; returns the last record if one was open.
        public mutating func finish() -> Record? {
            guard started else { return nil }
            if field.last == 0x0D { field.removeLast() }
            return endRecord(complete: !inQuotes)
        }
    }
}

extension CSVParser {
    /// Streams the records of `handle` to `take`, reading 1 MiB at a time (memory holds one
    /// chunk and the record being parsed), the last record included even without a final line
    /// break. Stops reading as soon as `take` returns false. `chunkRead` hears each chunk's size.
    public func records(from handle: FileHandle, chunkRead: (Int) -> Void = { _ in },
                        _ take: (Record) throws -> Bool) rethrows {
        var state = State()
        var going = true
        while going {
            let data = handle.readData(ofLength: 1 << 20)
            if data.isEmpty { break }
            chunkRead(data.count)
            let bytes = [UInt8](data)
            try bytes.withUnsafeBufferPointer { p in
                var i = 0
                while going, i < p.count { if let r = state.feed(p, &i, self) { going = try take(r) } }
            }
        }
        if going, let r = state.finish() { _ = try take(r) }
    }
}
