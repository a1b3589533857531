import Foundation
import RhetorText

/// The input formats of `rhetor score`.
public enum StatementFormat: String, Sendable, CaseIterable {
    /// One statement per line.
    case text
    /// One JSON object per line with `text` and optional `id`.
    case jsonl
    /// CSV with a header row.
    case csv
}

/// An input identifier: a JSON string or number, echoed as given.
public enum RecordID: Sendable, Equatable {
    case string(String)
    /// A number as written in the input.
    case number(String)
    /// A number Rhetor assigned (the line number, for plain-text input).
    case integer(Int)
    case none
}

extension RecordID {
    /// The id as text ("" when absent).
    public var text: String {
        switch self {
        case .string(let s), .number(let s): s
        case .integer(let n): String(n)
        case .none: ""
        }
    }
}

/// One input record: a statement to score, or the reason it cannot be scored.
public struct StatementRecord: Sendable {
    /// 1-based line in the input where the record starts.
    public var line: Int
    public var id: RecordID
    public var text: String?
    public var error: String?
}

/// Parses one JSON line into a statement record.
public enum JSONLineParser {
    public static func record(line: Int, bytes: ArraySlice<UInt8>, textField: String = "text", idField: String = "id") -> StatementRecord {
        parse(line: line, bytes: bytes, textField: textField, idField: idField).record
    }

    /// The record and, when the line is a JSON object, the object itself (for other fields).
    public static func parse(line: Int, bytes: ArraySlice<UInt8>, textField: String = "text", idField: String = "id") -> (record: StatementRecord, object: [String: Any]?) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return (StatementRecord(line: line, id: .none, text: nil, error: "invalid UTF-8"), nil)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            return (StatementRecord(line: line, id: .none, text: nil, error: "empty line"), nil)
        }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            return (StatementRecord(line: line, id: .none, text: nil, error: "broken JSON"), nil)
        }
        guard let dict = obj as? [String: Any] else {
            return (StatementRecord(line: line, id: .none, text: nil, error: "not a JSON object"), nil)
        }
        return (fields(line: line, dict, textField: textField, idField: idField), dict)
    }

    static func fields(line: Int, _ dict: [String: Any], textField: String, idField: String) -> StatementRecord {
        let id = recordID(dict[idField])
        guard let t = dict[textField] else {
            return StatementRecord(line: line, id: id, text: nil, error: "no \"\(textField)\" field")
        }
        guard let s = t as? String else {
            return StatementRecord(line: line, id: id, text: nil, error: "\"\(textField)\" is not a string")
        }
        return StatementRecord(line: line, id: id, text: s, error: nil)
    }

    static func recordID(_ v: Any?) -> RecordID {
        switch v {
        case let s as String: return .string(s)
        case let n as NSNumber:
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 1e15 { return .number(String(Int64(d))) }
            return .number(String(d))
        default: return .none
        }
    }
}
