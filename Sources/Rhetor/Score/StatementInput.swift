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
