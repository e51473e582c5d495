import ArgumentParser
import Foundation
import GateCore
import GateStore

/// `gatewatch report`: hourly or daily in/out from the database's rollups.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "In/out counts per 15 minutes, hour or day from a GateWatch database.",
        discussion: "Dates are site-local (YYYY-MM-DD, the site's time zone, default Asia/Ho_Chi_Minh)."
    )

    @Option(help: "The GateWatch database.")
    var db: String

    @Option(help: "Period: 15min, hour or day.")
    var by: ReportPeriod = .day

    @Option(help: "First day (YYYY-MM-DD). Default: today for --by 15min or hour, 6 days ago for --by day.")
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

    @Option(help: "Language of the text table: vi or en (default from LANG); CSV and JSON keep their English keys.")
    var lang: String?

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
        try validateLanguage(lang)
        for (name, value) in [("--from", from), ("--to", to)] {
            guard let value else { continue }
            guard let date = LocalDate(value) else {
                throw ValidationError("\(name) '\(TextSafety.echo(value, limit: 40))' is not a date: use YYYY-MM-DD, e.g. 2026-11-23")
            }
            if let problem = Limits.reportYear.problem(Double(date.year)) {
                throw ValidationError("\(name) \(value): the year \(problem)")
            }
        }
    }

    /// The days reported: --from ≤ --to, within the span one report may cover.
    static func range(by: ReportPeriod, from: LocalDate?, to: LocalDate?, today: LocalDate) throws -> (LocalDate, LocalDate) {
        let last = to ?? today
        let first = from ?? (by == .day ? last.adding(days: -6) : last)
        guard first <= last else {
            throw CLIError("--from \(first) is after --to \(last); give the earlier day first")
        }
        let days = dayNumber(last) - dayNumber(first) + 1
        let limit = by.dayLimit
        if let problem = limit.problem(Double(days)) {
            throw CLIError("--from \(first) --to \(last) is \(days) days; the span \(problem)")
        }
        return (first, last)
    }

    /// Days since a fixed epoch (proleptic Gregorian), for spans without a calendar.
    static func dayNumber(_ d: LocalDate) -> Int {
        let a = (14 - d.month) / 12, y = d.year + 4800 - a, m = d.month + 12 * a - 3
        return d.day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    func run() throws {
        try runReportingErrors {
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            let queries = StoreQueries(database)
            let tz = try queries.siteTimeZone()
            let today = LocalDate(ms: currentTimeMs(), timeZone: tz)
            let (first, last) = try Self.range(by: by, from: from.flatMap(LocalDate.init), to: to.flatMap(LocalDate.init), today: today)
            let report = try queries.report(by: by, from: first, to: last, perGate: perGate)
            let text: String
            if csv { text = Export.csv(report) }
            else if json { text = Export.json(report, pretty: true) }
            else {
                let table = Self.table(report, language: reportLanguage(lang))
                text = output == nil || output == "-" ? terminalText(table) : table
            }
            try writeOutput(text, to: output)
        }
    }

    static func table(_ report: Report, language: Language = .en) -> String {
        let vi = language == .vi
        let title = switch report.by {
        case .quarterHour: vi ? "Vào/ra theo 15 phút" : "In/out by 15 minutes"
        case .hour: vi ? "Vào/ra theo giờ" : "Hourly in/out"
        case .day: vi ? "Vào/ra theo ngày" : "Daily in/out"
        }
        var lines = ["\(title) \(report.from)…\(report.to) (\(report.timeZone))"]
        let gateWidth = report.perGate ? max(4, report.rows.map { ($0.gateName ?? "").count }.max() ?? 4) : 0
        func row(_ p: String, _ g: String, _ i: String, _ o: String, _ n: String) -> String {
            var s = p.padding(toLength: report.by == .day ? 10 : 16, withPad: " ", startingAt: 0)
            if report.perGate { s += "  " + g.padding(toLength: gateWidth, withPad: " ", startingAt: 0) }
            return s + "  " + String(repeating: " ", count: max(0, 7 - i.count)) + i
                + "  " + String(repeating: " ", count: max(0, 7 - o.count)) + o
                + "  " + String(repeating: " ", count: max(0, 7 - n.count)) + n
        }
        lines.append(vi ? row("thời gian", "cổng", "vào", "ra", "chênh") : row("period", "gate", "in", "out", "net"))
        for r in report.rows { lines.append(row(r.period, r.gateName ?? "", "\(r.ins)", "\(r.outs)", "\(r.net)")) }
        lines.append(row(vi ? "tổng" : "total", "", "\(report.totalIn)", "\(report.totalOut)", "\(report.totalIn - report.totalOut)"))
        return lines.joined(separator: "\n")
    }
}

extension ReportPeriod: ExpressibleByArgument {}
