import ArgumentParser
import Foundation
import GateCore

/// The `gatewatch` command line. Each subcommand is a thin shell over a library target.
@main
struct GateWatch: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "gatewatch",
        abstract: "AI camera counting for tourist-area gates: count, store, alert, monitor.",
        version: version,
        subcommands: [DemoCommand.self, RunCommand.self, ConsoleCommand.self, CountCommand.self,
                      ReportCommand.self, StatusCommand.self, CheckCommand.self, SynthCommand.self, CheckConfigCommand.self,
                      TestCommand.self, BenchCommand.self, YearDatabaseCommand.self],
        defaultSubcommand: DemoCommand.self
    )
}
