import Foundation
import GateCore
import GateStore

/// The machine a run was made on, for the report and the store.
public struct MachineInfo: Equatable, Sendable, Codable {
    public var hostname: String
    public var cpuModel: String
    public var cores: Int
    public var memoryBytes: UInt64

    public init(hostname: String, cpuModel: String, cores: Int, memoryBytes: UInt64) {
        self.hostname = hostname; self.cpuModel = cpuModel; self.cores = cores; self.memoryBytes = memoryBytes
    }

    public static func current() -> MachineInfo {
        var model = "unknown CPU"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return MachineInfo(hostname: ProcessInfo.processInfo.hostName, cpuModel: model,
                           cores: ProcessInfo.processInfo.activeProcessorCount,
                           memoryBytes: ProcessInfo.processInfo.physicalMemory)
    }

    /// `host (CPU, 2 cores, 7.8 GiB)`, for the store's `machine` column.
    public var summary: String {
        String(format: "%@ (%@, %d cores, %.1f GiB)", hostname, cpuModel, cores, Double(memoryBytes) / 1_073_741_824)
    }
}

/// One run of a suite, as reported.
public struct SuiteRun: Sendable {
    public var suite: String
    public var version: String
    public var machine: MachineInfo
    public var startedMs: Int64
    public var finishedMs: Int64
    public var results: [ScenarioResult]
    public init(suite: String, version: String, machine: MachineInfo, startedMs: Int64, finishedMs: Int64, results: [ScenarioResult]) {
        self.suite = suite; self.version = version; self.machine = machine
        self.startedMs = startedMs; self.finishedMs = finishedMs; self.results = results
    }
    public var passed: Int { results.filter { $0.verdict == .pass }.count }
    public var failed: Int { results.count - passed }
    public var verdict: Verdict { failed == 0 && !results.isEmpty ? .pass : .fail }
    public var seconds: Double { Double(finishedMs - startedMs) / 1000 }
}

/// Text table, JUnit XML, Markdown and HTML for a suite run.
public enum AcceptanceReport {
    // MARK: cells shared by every format

    static func expectedCell(_ r: ScenarioResult) -> String {
        var parts = r.lines.map { l -> String in
            let tol = l.tolerance == .exact ? "" : " \(l.tolerance)"
            return "\(l.lineId) in \(l.expectedIn) out \(l.expectedOut)\(tol)"
        }
        if !r.scenario.mustRaise.isEmpty { parts.append("raise " + r.scenario.mustRaise.map(\.rawValue).joined(separator: ",")) }
        if !r.scenario.mustNotRaise.isEmpty && r.scenario.mustRaise.isEmpty && r.lines.isEmpty {
            parts.append("no " + r.scenario.mustNotRaise.map(\.rawValue).joined(separator: ","))
        }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }

    static func countedCell(_ r: ScenarioResult) -> String {
        var parts = r.lines.map { "in \($0.countedIn) out \($0.countedOut)" }
        if r.scenario.checksAlerts {
            parts.append("alerts: " + (r.observation.raised.isEmpty ? "none" : r.observation.raised.keys.map(\.rawValue).sorted().joined(separator: ",")))
        }
        return r.verdict == .error ? "—" : (parts.isEmpty ? "—" : parts.joined(separator: "; "))
    }

    static func errorCell(_ r: ScenarioResult) -> String {
        guard !r.lines.isEmpty else { return "—" }
        return r.lines.map { l in
            func s(_ v: Int) -> String { v > 0 ? "+\(v)" : "\(v)" }
            return "\(s(l.errorIn))/\(s(l.errorOut))"
        }.joined(separator: "; ")
    }

    static func speedCell(_ r: ScenarioResult) -> String {
        guard r.verdict != .error else { return "—" }
        var s = String(format: "%.1f fps", r.observation.fps)
        if let req = r.requiredFps { s += String(format: " (≥ %.0f)", req) }
        return s
    }

    static func verdictCell(_ v: Verdict) -> String {
        switch v { case .pass: return "PASS"; case .fail: return "FAIL"; case .error: return "ERROR" }
    }

    // MARK: terminal table

    public static func table(_ run: SuiteRun) -> String {
        let header = ["scenario", "expected", "counted", "error", "speed", "time", "verdict"]
        var rows = run.results.map { r in
            [r.scenario.name, expectedCell(r), countedCell(r), errorCell(r), speedCell(r),
             String(format: "%.1f s", r.observation.seconds), verdictCell(r.verdict)]
        }
        rows.insert(header, at: 0)
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        out.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        for r in run.results where !r.failures.isEmpty {
            for f in r.failures { out.append("\(r.scenario.name): \(f)") }
        }
        out.append(String(format: "%d scenarios: %d passed, %d failed, in %.1f s — %@", run.results.count, run.passed,
                          run.failed, run.seconds, run.verdict == .pass ? "PASS" : "FAIL"))
        return out.joined(separator: "\n")
    }

    // MARK: JUnit

    public static func junit(_ run: SuiteRun) -> String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let errors = run.results.filter { $0.verdict == .error }.count
        let failures = run.results.filter { $0.verdict == .fail }.count
        x += "<testsuites name=\"gatewatch acceptance\" tests=\"\(run.results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(String(format: "%.3f", run.seconds))\">\n"
        x += "  <testsuite name=\"\(xml(run.suite))\" tests=\"\(run.results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(String(format: "%.3f", run.seconds))\" timestamp=\"\(isoDate(run.startedMs))\" hostname=\"\(xml(run.machine.hostname))\">\n"
        x += "    <properties>\n"
        x += "      <property name=\"version\" value=\"\(xml(run.version))\"/>\n"
        x += "      <property name=\"machine\" value=\"\(xml(run.machine.summary))\"/>\n"
        x += "    </properties>\n"
        for r in run.results {
            let file = (r.scenario.file as NSString).lastPathComponent
            x += "    <testcase classname=\"\(xml(run.suite))\" name=\"\(xml(r.scenario.name))\" file=\"\(xml(file))\" time=\"\(String(format: "%.3f", r.observation.seconds))\""
            let out = "expected: \(expectedCell(r))\ncounted: \(countedCell(r))\nspeed: \(speedCell(r))"
            switch r.verdict {
            case .pass:
                x += ">\n      <system-out>\(xml(out))</system-out>\n    </testcase>\n"
            case .fail:
                x += ">\n      <failure message=\"\(xml(r.failures.first ?? "failed"))\" type=\"expectation\">\(xml(r.failures.joined(separator: "\n")))</failure>\n"
                x += "      <system-out>\(xml(out))</system-out>\n    </testcase>\n"
            case .error:
                x += ">\n      <error message=\"\(xml(r.observation.error ?? "error"))\" type=\"error\">\(xml(r.failures.joined(separator: "\n")))</error>\n    </testcase>\n"
            }
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    static func xml(_ s: String) -> String {
        var o = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            case "\n", "\t", "\r": o.unicodeScalars.append(ch)
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if ch.value < 0x20 { o += "?" } else { o.unicodeScalars.append(ch) }
            }
        }
        return o
    }

    static func isoDate(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func localDate(_ ms: Int64, timeZone: String = ConfigLoader.defaultTimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss ZZZZZ"
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    // MARK: Markdown

    public static func markdown(_ run: SuiteRun, site: String? = nil) -> String {
        let m = run.machine
        var s = "# Biên bản kiểm thử nghiệm thu / Acceptance test report\n\n"
        s += "| | |\n|---|---|\n"
        s += "| Khu du lịch / Site | \(md(site ?? "—")) |\n"
        s += "| Bộ kịch bản / Suite | \(md(run.suite)) |\n"
        s += "| Phiên bản GateWatch / GateWatch version | \(md(run.version)) |\n"
        s += "| Máy / Machine | \(md(m.hostname)): \(md(m.cpuModel)), \(m.cores) nhân / cores, \(String(format: "%.1f", Double(m.memoryBytes) / 1_073_741_824)) GiB |\n"
        s += "| Ngày / Date | \(localDate(run.startedMs)) |\n"
        s += String(format: "| Thời gian chạy / Duration | %.1f s |\n", run.seconds)
        s += "| Kết luận / Verdict | **\(run.verdict == .pass ? "ĐẠT / PASS" : "KHÔNG ĐẠT / FAIL")** (\(run.passed)/\(run.results.count)) |\n\n"
        s += "## Kết quả từng kịch bản / Scenario results\n\n"
        s += "| # | Kịch bản / Scenario | Mong đợi / Expected | Đếm được / Counted | Sai số / Error | Tốc độ / Speed | Kết quả / Verdict |\n"
        s += "|---|---|---|---|---|---|---|\n"
        for (i, r) in run.results.enumerated() {
            s += "| \(i + 1) | \(md(r.scenario.name)) | \(md(expectedCell(r))) | \(md(countedCell(r))) | \(md(errorCell(r))) | \(md(speedCell(r))) | \(verdictVi(r.verdict)) |\n"
        }
        s += "\n## Tổng hợp / Totals\n\n"
        let (exp, cnt, absErr) = totals(run)
        s += "- Kịch bản đạt / Scenarios passed: \(run.passed) / \(run.results.count)\n"
        s += "- Lượt qua mong đợi / Expected crossings: \(exp); đếm được / counted: \(cnt); tổng sai số tuyệt đối / total absolute error: \(absErr)"
        if exp > 0 { s += String(format: " (%.1f%%)", Double(absErr) * 100 / Double(exp)) }
        s += "\n"
        let failed = run.results.filter { !$0.failures.isEmpty }
        if !failed.isEmpty {
            s += "\n## Sai lệch / Differences\n\n"
            for r in failed { for f in r.failures { s += "- **\(md(r.scenario.name))**: \(md(f))\n" } }
        }
        s += "\n## Mô tả kịch bản / Scenario descriptions\n\n"
        for r in run.results {
            s += "- **\(md(r.scenario.name))** (`\(md((r.scenario.file as NSString).lastPathComponent))`): \(md(r.scenario.description.isEmpty ? r.scenario.source : r.scenario.description))\n"
        }
        s += "\n## Ký xác nhận / Sign-off\n\n"
        s += "| | Đại diện Sở Du lịch / Department representative | Đại diện nhà thầu / Contractor |\n|---|---|---|\n"
        s += "| Họ và tên / Name | | |\n| Chữ ký / Signature | | |\n| Ngày / Date | | |\n"
        return s
    }

    /// Crossings expected and counted over every checked line, and the sum of absolute errors.
    static func totals(_ run: SuiteRun) -> (expected: Int, counted: Int, absError: Int) {
        let l = run.results.flatMap(\.lines)
        return (l.reduce(0) { $0 + $1.expectedIn + $1.expectedOut }, l.reduce(0) { $0 + $1.countedIn + $1.countedOut },
                l.reduce(0) { $0 + abs($1.errorIn) + abs($1.errorOut) })
    }

    static func verdictVi(_ v: Verdict) -> String {
        switch v { case .pass: return "ĐẠT / PASS"; case .fail: return "KHÔNG ĐẠT / FAIL"; case .error: return "LỖI / ERROR" }
    }

    static func md(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: HTML

    public static func html(_ run: SuiteRun, site: String? = nil) -> String {
        let m = run.machine
        func h(_ s: String) -> String { xml(s) }
        var s = """
        <!DOCTYPE html>
        <html lang="vi"><head><meta charset="utf-8">
        <title>Biên bản kiểm thử nghiệm thu / Acceptance test report — \(h(run.suite))</title>
        <style>
        body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #888;padding:.3em .6em;text-align:left;vertical-align:top}
        .pass{color:#060;font-weight:bold}.fail,.error{color:#a00;font-weight:bold}.sign td{height:3em;min-width:16em}
        </style></head><body>
        <h1>Biên bản kiểm thử nghiệm thu / Acceptance test report</h1>
        <table>
        <tr><th>Khu du lịch / Site</th><td>\(h(site ?? "—"))</td></tr>
        <tr><th>Bộ kịch bản / Suite</th><td>\(h(run.suite))</td></tr>
        <tr><th>Phiên bản GateWatch / GateWatch version</th><td>\(h(run.version))</td></tr>
        <tr><th>Máy / Machine</th><td>\(h(m.hostname)): \(h(m.cpuModel)), \(m.cores) nhân / cores, \(String(format: "%.1f", Double(m.memoryBytes) / 1_073_741_824)) GiB</td></tr>
        <tr><th>Ngày / Date</th><td>\(localDate(run.startedMs))</td></tr>
        <tr><th>Thời gian chạy / Duration</th><td>\(String(format: "%.1f", run.seconds)) s</td></tr>
        <tr><th>Kết luận / Verdict</th><td class="\(run.verdict.rawValue)">\(run.verdict == .pass ? "ĐẠT / PASS" : "KHÔNG ĐẠT / FAIL") (\(run.passed)/\(run.results.count))</td></tr>
        </table>
        <h2>Kết quả từng kịch bản / Scenario results</h2>
        <table><tr><th>#</th><th>Kịch bản / Scenario</th><th>Mong đợi / Expected</th><th>Đếm được / Counted</th><th>Sai số / Error</th><th>Tốc độ / Speed</th><th>Kết quả / Verdict</th></tr>

        """
        for (i, r) in run.results.enumerated() {
            s += "<tr><td>\(i + 1)</td><td>\(h(r.scenario.name))</td><td>\(h(expectedCell(r)))</td><td>\(h(countedCell(r)))</td><td>\(h(errorCell(r)))</td><td>\(h(speedCell(r)))</td><td class=\"\(r.verdict.rawValue)\">\(h(verdictVi(r.verdict)))</td></tr>\n"
        }
        s += "</table>\n"
        let t = totals(run)
        s += "<h2>Tổng hợp / Totals</h2>\n<ul>\n<li>Kịch bản đạt / Scenarios passed: \(run.passed) / \(run.results.count)</li>\n"
        s += "<li>Lượt qua mong đợi / Expected crossings: \(t.expected); đếm được / counted: \(t.counted); tổng sai số tuyệt đối / total absolute error: \(t.absError)"
        if t.expected > 0 { s += String(format: " (%.1f%%)", Double(t.absError) * 100 / Double(t.expected)) }
        s += "</li>\n</ul>\n"
        let failed = run.results.filter { !$0.failures.isEmpty }
        if !failed.isEmpty {
            s += "<h2>Sai lệch / Differences</h2>\n<ul>\n"
            for r in failed { for f in r.failures { s += "<li><b>\(h(r.scenario.name))</b>: \(h(f))</li>\n" } }
            s += "</ul>\n"
        }
        s += """
        <h2>Ký xác nhận / Sign-off</h2>
        <table class="sign"><tr><th></th><th>Đại diện Sở Du lịch / Department representative</th><th>Đại diện nhà thầu / Contractor</th></tr>
        <tr><th>Họ và tên / Name</th><td></td><td></td></tr>
        <tr><th>Chữ ký / Signature</th><td></td><td></td></tr>
        <tr><th>Ngày / Date</th><td></td><td></td></tr>
        </table>
        </body></html>

        """
        return s
    }
}

extension ScenarioResult {
    /// The store's row for this result (the first checked line in the count columns; all failures in `detail`).
    public func record(finishedMs: Int64) -> TestResultRecord {
        let l = lines.first
        let tol = scenario.lines.first(where: { $0.line.id == l?.lineId })?.tolerance ?? scenario.sceneLine?.tolerance
        var detail = failures.joined(separator: "\n")
        if detail.isEmpty {
            detail = lines.count > 1 ? lines.map { "\($0.lineId): in \($0.countedIn) out \($0.countedOut)" }.joined(separator: "; ") : "ok"
        }
        return TestResultRecord(scenario: scenario.name, lineId: l?.lineId, expectedIn: l?.expectedIn, expectedOut: l?.expectedOut,
                                countedIn: l?.countedIn, countedOut: l?.countedOut, tolerance: l == nil ? nil : tol?.storedValue,
                                fps: verdict == .error ? nil : observation.fps, requiredFps: requiredFps,
                                verdict: verdict.rawValue, detail: detail, frames: observation.frames,
                                seconds: observation.seconds, finishedMs: finishedMs)
    }
}
