import Foundation
import GateCore
import Hummingbird
import NIOCore

/// `GET /v1/counts?from=YYYY-MM-DD&to=YYYY-MM-DD[&site=NAME][&by=day|hour][&format=json|csv]`:
/// per site, period and gate, written while PostgreSQL returns rows (a year of fifty sites
/// is never held in memory). Days are the province's (`ConfigLoader.defaultTimeZone`).
enum HubExport {
    static let maxDays = 3_660
    static let chunkRows = 500

    static func counts(_ request: Request, store: HubStore) async throws -> Response {
        let q = request.uri.queryParameters
        let zone = TimeZone(identifier: ConfigLoader.defaultTimeZone)!
        guard let fromText = q["from"].map(String.init), let from = LocalDate(fromText),
              let toText = q["to"].map(String.init), let to = LocalDate(toText) else {
            return HubServer.problem(400, code: "bad_range", reason: "give from=YYYY-MM-DD and to=YYYY-MM-DD (both days included)")
        }
        guard from <= to, to.dayNumber - from.dayNumber < maxDays else {
            return HubServer.problem(400, code: "bad_range", reason: "from must not be after to, and the range at most \(maxDays) days")
        }
        let bucketText = q["by"].map(String.init) ?? "day"
        guard let bucket = HubBucket(rawValue: bucketText) else {
            return HubServer.problem(400, code: "bad_bucket", reason: "by=\(TextSafety.echo(bucketText, limit: 20)) is not day or hour")
        }
        let format = q["format"].map(String.init) ?? "json"
        guard format == "json" || format == "csv" else {
            return HubServer.problem(400, code: "bad_format", reason: "format=\(TextSafety.echo(format, limit: 20)) is not json or csv")
        }
        let site = q["site"].map(String.init)
        let fromMs = from.startMs(in: zone), toMs = to.next.startMs(in: zone)
        let csv = format == "csv"
        let rows = try await store.counts(site: site, fromMs: fromMs, toMs: toMs, by: bucket)
        let body = ResponseBody { writer in
            var pending: [String] = []
            var first = true
            if csv { pending.append("site,period,gate_id,ins,outs\n") } else { pending.append("[") }
            try await rows.forEach { row in
                pending.append(csv ? Self.csvLine(row) : (first ? "" : ",") + Self.jsonObject(row))
                first = false
                if pending.count >= chunkRows {
                    try await writer.write(ByteBuffer(string: pending.joined()))
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if !csv { pending.append("]\n") }
            try await writer.write(ByteBuffer(string: pending.joined()))
            try await writer.finish(nil)
        }
        let type = csv ? "text/csv; charset=utf-8" : "application/json"
        return Response(status: .ok, headers: [.contentType: type], body: body)
    }

    static func csvLine(_ r: HubCountRow) -> String {
        "\(csvField(r.site)),\(r.period),\(csvField(r.gate_id)),\(r.ins),\(r.outs)\n"
    }

    /// Quoted when it holds a comma, quote or line break; a leading = + - @ is defused
    /// (a spreadsheet would run it as a formula).
    static func csvField(_ s: String) -> String {
        var v = s
        if let c = v.first, "=+-@".contains(c) { v = "'" + v }
        guard v.contains(where: { ",\"\n\r".contains($0) }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonObject(_ r: HubCountRow) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(r)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// A calendar day, `YYYY-MM-DD`.
struct LocalDate: Comparable {
    var year: Int, month: Int, day: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        year = y; month = m; day = d
        guard Self.utc.date(from: DateComponents(year: y, month: m, day: d)).map({ Self.utc.component(.day, from: $0) == d }) == true
        else { return nil }
    }

    private init(date: Date) {
        let c = Self.utc.dateComponents([.year, .month, .day], from: date)
        year = c.year!; month = c.month!; day = c.day!
    }

    static let utc: Calendar = { var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: "UTC")!; return c }()

    var dayNumber: Int { Int(Self.utc.date(from: DateComponents(year: year, month: month, day: day))!.timeIntervalSince1970 / 86_400) }
    var next: LocalDate { LocalDate(date: Date(timeIntervalSince1970: Double(dayNumber + 1) * 86_400)) }

    func startMs(in zone: TimeZone) -> Int64 {
        var c = Calendar(identifier: .gregorian); c.timeZone = zone
        return Int64(c.date(from: DateComponents(year: year, month: month, day: day))!.timeIntervalSince1970 * 1000)
    }

    static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// `GET /metrics`: the hub's sites in Prometheus text (lag, backlog, age of the last batch).
enum HubMetrics {
    static func response(store: HubStore, lagAlertSeconds: Double) async throws -> Response {
        let sites = try await store.siteSummaries(lagAlertSeconds: lagAlertSeconds)
        var text = """
            # HELP gatewatch_hub_sites Sites known to the hub (revoked included).
            # TYPE gatewatch_hub_sites gauge
            gatewatch_hub_sites \(sites.count)
            # HELP gatewatch_hub_site_lag_seconds Age of the oldest event the hub does not have yet (or of the last batch).
            # TYPE gatewatch_hub_site_lag_seconds gauge

            """
        for s in sites { text += "gatewatch_hub_site_lag_seconds{site=\"\(label(s.name))\"} \(s.lag_seconds ?? -1)\n" }
        text += "# HELP gatewatch_hub_site_backlog Events waiting at the site as of its last batch.\n# TYPE gatewatch_hub_site_backlog gauge\n"
        for s in sites { text += "gatewatch_hub_site_backlog{site=\"\(label(s.name))\"} \(s.backlog ?? 0)\n" }
        text += "# HELP gatewatch_hub_site_lagging 1 when the site's lag is beyond the hub's --lag-alert.\n# TYPE gatewatch_hub_site_lagging gauge\n"
        for s in sites {
            let lagging = s.attention.contains(HubAttention.syncLag) || s.attention.contains(HubAttention.neverSynced)
            text += "gatewatch_hub_site_lagging{site=\"\(label(s.name))\"} \(lagging ? 1 : 0)\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Site names are [A-Za-z0-9._-] (SecretKeyFormat.validName), so only the quote rules matter.
    static func label(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
}
