import ArgumentParser
import Foundation
import Rhetor

@main
struct RhetorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rhetor",
        abstract: "Measure the rhetoric of quoted statements: hostility, certainty and valence, explained.",
        version: "0.1.0",
        subcommands: [Score.self, Quotes.self, Ingest.self, Speakers.self, TimelineCommand.self, Compare.self, Alias.self, Train.self, Eval.self, EvalQuotes.self, LexiconCommand.self, ModelCommand.self],
        defaultSubcommand: Score.self
    )
}
