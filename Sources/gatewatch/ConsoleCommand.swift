import ArgumentParser
import Foundation
import GateCore
import GateConsole

/// `gatewatch console --db FILE [--theme NAME] [--lang vi|en]`: attach a live console to
/// the database of a running `gatewatch run` (any number of consoles at once).
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Live monitoring console on a GateWatch database (read-only; acknowledging alerts is the one write).")

    @Option(name: .long, help: "The SQLite database written by `gatewatch run`.")
    var db: String?

    @Option(name: .long, help: "The province hub's URL: the province view (every site; Enter opens one) instead of one database.")
    var hub: String?

    @Option(name: .long, help: "A reader key of the hub (`gatewatch hub reader add`; default: $GATEWATCH_HUB_KEY).")
    var key: String?

    @Option(name: .long, help: "Theme: default, light, high-contrast, monochrome, or a path to a .theme file (t cycles; default: the one remembered, else default).")
    var theme: String?

    @Option(name: .long, help: "Language: vi or en (default: the one remembered (L switches), else from LANG/LC_ALL, Vietnamese first).")
    var lang: String?

    @Option(name: .long, help: "An acceptance suite folder for the Tests screen (repeatable; default: samples/acceptance here, $XDG_DATA_HOME/gatewatch/acceptance, /usr/local/share/gatewatch/acceptance).")
    var suites: [String] = []

    func validate() throws {
        if let l = lang, Language(rawValue: l.lowercased()) == nil {
            throw ValidationError("--lang \(l): unknown language; use vi or en")
        }
        switch (db, hub) {
        case (nil, nil): throw ValidationError("give the site's database with --db FILE, or the province hub with --hub URL --key KEY")
        case (.some, .some): throw ValidationError("give --db or --hub, not both")
        case (.some(let d), nil) where d.isEmpty: throw ValidationError("--db: give the path of the GateWatch database")
        default: break
        }
        if let hub {
            guard let u = URLComponents(string: hub), ["http", "https"].contains(u.scheme ?? ""), !(u.host ?? "").isEmpty else {
                throw ValidationError("--hub '\(TextSafety.echo(redactedURL(hub), limit: 120))' is not a hub URL; write https://host:port")
            }
            guard hubKey != nil else {
                throw ValidationError("--hub needs a reader key: --key KEY or GATEWATCH_HUB_KEY (from `gatewatch hub reader add NAME`)")
            }
        }
    }

    var hubKey: String? { key ?? ProcessInfo.processInfo.environment["GATEWATCH_HUB_KEY"].flatMap { $0.isEmpty ? nil : $0 } }

    func run() throws {
        var options = ConsoleOptions(dbPath: db ?? "", theme: theme, language: lang.flatMap { Language(rawValue: $0.lowercased()) },
                                     suiteDirectories: suites.isEmpty ? nil : suites)
        if let hub, let key = hubKey { options.hub = (hub, key) }
        do {
            // A signal or a lost terminal ends the process by that signal, after the terminal is restored.
            if let sig = try runConsole(options).exitSignal { endProcess(bySignal: sig) }
        } catch let e as ConsoleError {
            FileHandle.standardError.write(Data("gatewatch console: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
