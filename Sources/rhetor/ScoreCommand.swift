import ArgumentParser
import Foundation
import Rhetor

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score statements for hostility, certainty and valence.")
    func run() throws {}
}
struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lexicon", abstract: "Lexicon tools.")
}
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Model tools.")
}
