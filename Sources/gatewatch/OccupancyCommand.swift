import ArgumentParser
import Foundation
import GateCore
import GateStore

/// `gatewatch occupancy`: the head count now and the corrections made at the desk;
/// `gatewatch occupancy set N`: set the head count by hand, audited.
struct OccupancyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "occupancy",
        abstract: "Show the site's occupancy and its corrections, or set the head count by hand.",
        subcommands: [OccupancyShowCommand.self, OccupancySetCommand.self],
        defaultSubcommand: OccupancyShowCommand.self)
}

struct OccupancyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the occupancy, where it counts from, and the last corrections.")

    @Option(help: "The GateWatch database.")
    var db: String
    @Option(help: "How many corrections to list, newest first.")
    var last: Int = 10
    @Option(help: "Language of the output: vi or en (default from LANG).")
    var lang: String?

    func validate() throws {
        try validateLanguage(lang)
        guard (0...10_000).contains(last) else { throw ValidationError("--last \(last): give 0 to 10000") }
    }

    func run() throws {
        try runReportingErrors {
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            let q = StoreQueries(database)
            let now = currentTimeMs()
            let reading = try q.occupancy(now: now)
            let zone = try q.siteTimeZone()
            print(terminalText(OccupancyText.render(reading, corrections: try q.occupancyCorrections(limit: last),
                                                    zone: zone, language: reportLanguage(lang))), terminator: "")
        }
    }
}

struct OccupancySetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set the head count by hand (after a count at the gates); kept for audit with who and why.")

    @Argument(help: "The number of people inside now.")
    var count: Int
    @Option(help: "The GateWatch database.")
    var db: String
    @Option(help: "Who sets it.")
    var by: String
    @Option(help: "How it was counted (e.g. 'đếm tay ở các cổng lúc 14:00').")
    var note: String
    @Option(help: "Language of the output: vi or en (default from LANG).")
    var lang: String?

    func validate() throws { try validateLanguage(lang) }

    func run() throws {
        try runReportingErrors {
            let database = try GateDatabase.openWriter(path: db)
            defer { try? database.close() }
            let c = try database.correctOccupancy(count: count, by: by, note: note)
            let vi = reportLanguage(lang) == .vi
            print(terminalText(vi ? "Đã đặt số người trong khu: \(c.previous) → \(c.count) (ghi lại lần chỉnh #\(c.id))"
                                  : "Occupancy set: \(c.previous) → \(c.count) (correction #\(c.id) recorded)"))
        }
    }
}

/// The `occupancy show` text, both languages.
enum OccupancyText {
    static func render(_ r: OccupancyReading, corrections: [OccupancyCorrection], zone: TimeZone, language: Language) -> String {
        let vi = language == .vi
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = zone; f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func time(_ ms: Int64) -> String { f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        let o = r.occupancy()
        var out = ["\(vi ? "Số người trong khu" : "Occupancy"): \(o.count)"]
        if let c = r.anchor.correction {
            out.append(vi ? "  tính từ lần chỉnh lúc \(time(c.atMs)): \(c.count), rồi vào \(o.ins), ra \(o.outs)"
                          : "  counted from the correction at \(time(c.atMs)): \(c.count), then \(o.ins) in, \(o.outs) out")
        } else {
            out.append(vi ? "  tính từ \(time(r.periodStartMs)) (đặt lại hằng ngày lúc \(r.reset.text)): vào \(o.ins), ra \(o.outs)"
                          : "  counted from \(time(r.periodStartMs)) (daily reset at \(r.reset.text)): \(o.ins) in, \(o.outs) out")
        }
        out.append("")
        out.append("\(vi ? "Các lần chỉnh" : "Corrections") (\(corrections.count)):")
        if corrections.isEmpty { out.append(vi ? "  chưa có" : "  none") }
        for c in corrections {
            out.append("  \(time(c.atMs))  \(c.previous) → \(c.count)  \(TextSafety.echo(c.by, limit: OccupancyCorrection.maxNameLength)): "
                       + TextSafety.echo(c.note, limit: OccupancyCorrection.maxNoteLength))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
