import ArgumentParser
import GateCore

// Temporary root for the console branch; the integrator merges the real one.
struct GateWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gatewatch", subcommands: [ConsoleCommand.self])
}
GateWatchCommand.main()
