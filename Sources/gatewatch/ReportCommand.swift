import ArgumentParser
import Foundation
import GateStore

/// `gatewatch report`: hourly or daily in/out from the database's rollups.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Hourly or daily in/out counts from a GateWatch database.",
        discussion: "Dates are site-local (YYYY-MM-DD, the site's time zone, default Asia/Ho_Chi_Minh)."
    )

    @Option(help: "The GateWatch database.")
    var db: String

    @Option(help: "Period: hour or day.")
    var by: ReportPeriod = .day

    @Option(help: "First day (YYYY-MM-DD). Default: today for --by hour, 6 days ago for --by day.")
    var from: String?

    @Option(help: "Last day (YYYY-MM-DD). Default: today.")
    var to: String?

    @Flag(help: "One row per gate and period instead of site totals.")
    var perGate = false

    @Flag(help: "CSV output (RFC 4180).")
    var csv = false

    @Flag(help: "JSON output.")
    var json = false

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, LocalDate(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a date: use YYYY-MM-DD, e.g. 2026-11-23")
            }
        }
    }

    func run() throws {
        try runReportingErrors {
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            let queries = StoreQueries(database)
            let tz = try queries.siteTimeZone()
            let today = LocalDate(ms: currentTimeMs(), timeZone: tz)
            let last = to.flatMap(LocalDate.init) ?? today
            let first = from.flatMap(LocalDate.init) ?? (by == .hour ? last : last.adding(days: -6))
            let report = try queries.report(by: by, from: first, to: last, perGate: perGate)
            let text: String
            if csv { text = Export.csv(report) }
            else if json { text = Export.json(report, pretty: true) }
            else { text = Self.table(report) }
            try writeOutput(text, to: output)
        }
    }

    static func table(_ report: Report) -> String {
        var lines = ["\(report.by == .hour ? "Hourly" : "Daily") in/out \(report.from)…\(report.to) (\(report.timeZone))"]
        let gateWidth = report.perGate ? max(4, report.rows.map { ($0.gateName ?? "").count }.max() ?? 4) : 0
        func row(_ p: String, _ g: String, _ i: String, _ o: String, _ n: String) -> String {
            var s = p.padding(toLength: report.by == .hour ? 16 : 10, withPad: " ", startingAt: 0)
            if report.perGate { s += "  " + g.padding(toLength: gateWidth, withPad: " ", startingAt: 0) }
            return s + "  " + String(repeating: " ", count: max(0, 7 - i.count)) + i
                + "  " + String(repeating: " ", count: max(0, 7 - o.count)) + o
                + "  " + String(repeating: " ", count: max(0, 7 - n.count)) + n
        }
        lines.append(row("period", "gate", "in", "out", "net"))
        for r in report.rows { lines.append(row(r.period, r.gateName ?? "", "\(r.ins)", "\(r.outs)", "\(r.net)")) }
        lines.append(row("total", "", "\(report.totalIn)", "\(report.totalOut)", "\(report.totalIn - report.totalOut)"))
        return lines.joined(separator: "\n")
    }
}

extension ReportPeriod: ExpressibleByArgument {}
