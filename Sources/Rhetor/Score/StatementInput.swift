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
    /// The id a JSON record's `"id"` value gives (its bytes in the scanner's arena): a string, or
    /// a number as written; anything else is no id.
    init(json value: JSONLineScanner.Value?, arena: [UInt8]) {
        switch value {
        case .string(let r): self = .string(String(decoding: arena[r], as: UTF8.self))
        case .number(let r): self = .number(String(decoding: arena[r], as: UTF8.self))
        default: self = .none
        }
    }

    /// The id as text ("" when absent).
    public var text: String {
        switch self {
        case .string(let s), .number(let s): s
        case .integer(let n): String(n)
        case .none: ""
        }
    }
}

/// Why a JSON record has no text to work on, worded the same for `score` and `quotes`.
struct MissingText: Error, CustomStringConvertible {
    let description: String

    /// The byte range of a JSON record's `"text"` string in the scanner's arena, or why not.
    static func range(of value: JSONLineScanner.Value?) -> Result<Range<Int>, MissingText> {
        switch value {
        case .string(let r): .success(r)
        case nil: .failure(MissingText(description: "no \"text\" field"))
        default: .failure(MissingText(description: "\"text\" is not a string"))
        }
    }
}
