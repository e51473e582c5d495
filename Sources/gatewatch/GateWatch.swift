import ArgumentParser
import Foundation
import GateCore
import GateRuntime

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
                      TestCommand.self, BenchCommand.self, OccupancyCommand.self, SnapshotCommand.self, SetupCommand.self,
                      YearDatabaseCommand.self, ServeCommand.self, APIKeyCommand.self, HubCommand.self, SyncCommand.self],
        defaultSubcommand: DemoCommand.self
    )

    /// As ArgumentParser's main, except that a bad argument is ONE line on stderr (what is
    /// wrong and where to read more), not the whole usage; and `check`, a monitoring plugin,
    /// answers UNKNOWN (3) on stdout for its own bad arguments, as plugins must.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if error is ExitCode || code == .success { exit(withError: error) }   // help, --version, chosen codes
            let text = TextSafety.echo(Self.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " "), limit: 400)
            let names = configuration.subcommands.compactMap { $0.configuration.commandName }
            let sub = arguments.first { !$0.hasPrefix("-") }.flatMap { names.contains($0) ? $0 : nil }
            if sub == CheckCommand.configuration.commandName {
                print("GATEWATCH UNKNOWN - bad argument: \(text)")
                Foundation.exit(CheckStatus.unknown.rawValue)
            }
            let help = sub.map { "gatewatch \($0) --help" } ?? "gatewatch --help"
            printError("\(text) (see '\(help)')")
            Foundation.exit(code.rawValue)
        }
    }
}
