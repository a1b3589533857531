import Foundation
import RhetorScoring

/// Paths of the package and of ../shared (absent on a user's clone).
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let lexicons = root.appendingPathComponent("lexicons")
    static let model = root.appendingPathComponent("models/rhetor-news")
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    static var hasShared: Bool { FileManager.default.fileExists(atPath: shared.appendingPathComponent("data/README.md").path) }

    nonisolated(unsafe) static var cachedLexicons: LexiconSet?
    static func lexiconSet() throws -> LexiconSet {
        if let l = cachedLexicons { return l }
        let l = try LexiconSet(directory: lexicons)
        cachedLexicons = l
        return l
    }

    static func defaultModel() throws -> LinearModel {
        try LinearModel.load(directory: model, lexiconDirectory: lexicons)
    }
}

/// A lexicon file's text with the standard header.
func lexiconText(name: String, columns: String, rows: [String]) -> String {
    """
    #! rhetor-lexicon 1
    # name: \(name)
    # version: 0.0.1
    # source: test
    # license: test
    # weights: test
    # columns: \(columns)

    """ + rows.map { $0 + "\n" }.joined()
}
