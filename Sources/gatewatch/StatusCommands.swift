import ArgumentParser
import Foundation
import GateConsole
import GateCore
import GateRuntime
import GateStore

/// `gatewatch status`: occupancy, gates, feeds and open alerts, for people and scripts.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print occupancy, gates, feeds and open alerts from a GateWatch database."
    )

    @Option(help: "The GateWatch database.")
    var db: String

    @Flag(help: "JSON output.")
    var json = false

    @Option(help: "Language of the text output: vi or en (default from LANG).")
    var lang: String?

    func validate() throws { try validateLanguage(lang) }

    func run() throws {
        try runReportingErrors {
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            let input = try MonitoringInput.load(from: database)
            if json {
                print(MonitoringReport.statusJSON(input))
            } else {
                print(terminalText(MonitoringReport.statusText(input, language: reportLanguage(lang))))
            }
        }
    }
}

/// `gatewatch check`: a monitoring plugin (Nagios, Icinga, Zabbix) over SSH.
/// Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; one status line with performance data.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Monitoring-plugin check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."
    )

    @Option(help: "The GateWatch database.")
    var db: String

    @Option(name: [.customShort("w"), .long], help: "Occupancy warning level, share of capacity (default: the site's capacity_warning).")
    var warning: Double?

    @Option(name: [.customShort("c"), .long], help: "Occupancy critical level, share of capacity (default: the site's capacity_critical).")
    var critical: Double?

    @Option(help: "Seconds without a pipeline heartbeat before the runner counts as not responding (default: the site's, 5).")
    var staleSeconds: Double?

    /// A bad level is UNKNOWN (3) with one line (GateWatch.main turns this error into it).
    func validate() throws {
        try checkFlag(warning, Limits.capacityWarning, flag: "-w/--warning")
        try checkFlag(critical, Limits.capacityCritical, flag: "-c/--critical")
        try checkFlag(staleSeconds, Limits.staleSeconds, flag: "--stale-seconds")
        if let critical, let warning, critical < warning {
            throw ValidationError("-c/--critical (\(NumericLimit.format(critical))) must not be below -w/--warning (\(NumericLimit.format(warning)))")
        }
    }

    func run() throws {
        // Every failure, even a missing database, must be UNKNOWN (3), never a usage error.
        let result: CheckResult
        do {
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            // -w/-c/--stale-seconds override the site's stored thresholds only when given.
            let input = try MonitoringInput.load(from: database, capacityWarning: warning, capacityCritical: critical,
                                                 heartbeatSeconds: staleSeconds)
            result = MonitoringReport.check(input)
        } catch {
            print("GATEWATCH UNKNOWN - \(oneLine(error))")
            throw ExitCode(CheckStatus.unknown.rawValue)
        }
        print(result.output)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

/// `--lang` must name a language GateWatch speaks.
func validateLanguage(_ flag: String?) throws {
    if let l = flag, Language(rawValue: l.lowercased()) == nil {
        throw ValidationError("--lang \(TextSafety.echo(l, limit: 20)): unknown language; use vi or en")
    }
}

/// vi or en: the flag, else LC_ALL/LC_MESSAGES/LANG, else Vietnamese (GateCore's one rule).
func reportLanguage(_ flag: String?) -> Language {
    Language.resolve(flag) ?? .vi
}

/// Text for the terminal: plain ASCII (Vietnamese without its marks) when the locale is not
/// UTF-8, so an SSH session under LANG=C reads "So nguoi" rather than mojibake.
func terminalText(_ text: String) -> String {
    setlocale(LC_ALL, "")
    return String(cString: nl_langinfo(Int32(CODESET))) == "UTF-8" ? text : TextWidth.asciiFold(text)
}
