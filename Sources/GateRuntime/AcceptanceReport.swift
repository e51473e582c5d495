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

/// One run of a suite, as reported: live from `gatewatch test`, or read back from the store.
public struct SuiteRun: Sendable {
    public var suite: String
    public var provenance: RunProvenance
    public var startedMs: Int64
    public var finishedMs: Int64
    public var scenarios: [ScenarioReport]

    public init(suite: String, provenance: RunProvenance, startedMs: Int64, finishedMs: Int64, scenarios: [ScenarioReport]) {
        self.suite = suite; self.provenance = provenance; self.startedMs = startedMs; self.finishedMs = finishedMs
        self.scenarios = scenarios
    }
    /// Missed speeds failed their scenarios (`--strict-speed`).
    public var strictSpeed: Bool { provenance.strictSpeed }
    /// False for a run stopped before its last scenario: it cannot pass.
    public var complete: Bool { scenarios.count >= provenance.plannedScenarios }
    public var passed: Int { scenarios.filter { $0.verdict == .pass }.count }
    /// Count misses the scenarios name as known weaknesses: reported, not failed.
    public var knownWeaknesses: Int { scenarios.filter { $0.verdict == .knownWeakness }.count }
    public var failed: Int { scenarios.count - passed - knownWeaknesses }
    public var verdict: TestVerdict { failed == 0 && !scenarios.isEmpty && complete ? .pass : .fail }
    public var seconds: Double { Double(finishedMs - startedMs) / 1000 }
    /// Scenarios with a speed requirement, and how many met it.
    public var speedChecked: Int { scenarios.filter { $0.speed.met != nil }.count }
    public var speedMet: Int { scenarios.filter { $0.speed.met == true }.count }
}

/// Text table, JUnit XML, Markdown and HTML for a suite run.
public enum AcceptanceReport {
    // MARK: cells shared by every format

    static func expectedCell(_ r: ScenarioReport) -> String {
        var parts = r.lines.map { "\($0.id) in \($0.expectedIn) out \($0.expectedOut) (\($0.tolerance))" }
        if !r.mustRaise.isEmpty { parts.append("raise " + r.mustRaise.joined(separator: ",")) }
        if !r.mustNotRaise.isEmpty { parts.append("not " + r.mustNotRaise.joined(separator: ",")) }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }

    static func countedCell(_ r: ScenarioReport) -> String {
        var parts = r.lines.map { "in \($0.countedIn) out \($0.countedOut)" }
        if r.checksAlerts { parts.append("alerts: " + (r.raised.isEmpty ? "none" : r.raised.joined(separator: ","))) }
        return r.verdict == .error ? "—" : (parts.isEmpty ? "—" : parts.joined(separator: "; "))
    }

    static func errorCell(_ r: ScenarioReport) -> String {
        guard !r.lines.isEmpty else { return "—" }
        func s(_ v: Int) -> String { v > 0 ? "+\(v)" : "\(v)" }
        return r.lines.map { "\(s($0.errorIn))/\(s($0.errorOut))" }.joined(separator: "; ")
    }

    /// Measured speed beside the machine's own decode-only pace in the same run, and the requirement.
    static func speedCell(_ r: ScenarioReport) -> String {
        guard r.verdict != .error else { return "—" }
        var s = String(format: "%.1f fps", r.speed.measuredFps)
        if let d = r.speed.decodeOnlyFps, let ratio = r.speed.ratio { s += String(format: " = %.2f× decode-only %.0f fps", ratio, d) }
        return s
    }

    static func speedVerdictCell(_ r: ScenarioReport) -> String {
        guard let req = r.speed.requirement else { return "— (none required)" }
        guard r.verdict != .error, let met = r.speed.met else { return "\(req): —" }
        return "\(req): " + (met ? "met" : "MISSED")
    }

    static func verdictCell(_ v: TestVerdict) -> String { Words.testVerdict(v.rawValue, .en) }

    // MARK: terminal table

    public static func table(_ run: SuiteRun) -> String {
        let header = ["scenario", "expected", "counted", "error", "verdict", "speed", "speed verdict"]
        var rows = run.scenarios.map { r in
            [r.name, expectedCell(r), countedCell(r), errorCell(r), verdictCell(r.verdict), speedCell(r), speedVerdictCell(r)]
        }
        rows.insert(header, at: 0)
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = rows.map { row in
            row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        out.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        for r in run.scenarios {
            for f in r.failures { out.append("\(r.name): \(f)") }
            if r.verdict == .knownWeakness { out.append("\(r.name): \(knownWeaknessNote(r))") }
            if !run.strictSpeed, let note = r.speed.note { out.append("\(r.name): \(note) (reported, not failed; --strict-speed fails it)") }
        }
        let known = run.knownWeaknesses > 0 ? "\(run.knownWeaknesses) known weakness(es) (reported, not failed), " : ""
        out.append(String(format: "%d scenarios: %d passed, %@%d failed, in %.1f s — %@", run.scenarios.count, run.passed,
                          known, run.failed, run.seconds, run.verdict == .pass ? "PASS" : "FAIL")
                   + (run.speedChecked > 0 ? "; speed met in \(run.speedMet) of \(run.speedChecked)" : ""))
        return out.joined(separator: "\n")
    }

    // MARK: JUnit

    public static func junit(_ run: SuiteRun) -> String {
        let p = run.provenance
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let errors = run.scenarios.filter { $0.verdict == .error }.count
        let failures = run.scenarios.filter { $0.verdict == .fail }.count
        let time = String(format: "%.3f", run.seconds)
        x += "<testsuites name=\"gatewatch acceptance\" tests=\"\(run.scenarios.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time)\">\n"
        x += "  <testsuite name=\"\(xml(run.suite))\" tests=\"\(run.scenarios.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time)\" timestamp=\"\(isoDate(run.startedMs))\" hostname=\"\(xml(p.machine.hostname))\">\n"
        x += "    <properties>\n"
        for (name, value) in [("version", p.version), ("commit", p.gitCommit ?? ""), ("machine", p.machine.summary),
                              ("operator", p.operatorName), ("run_id", p.runId.map(String.init) ?? "")] {
            x += "      <property name=\"\(name)\" value=\"\(xml(value))\"/>\n"
        }
        x += "    </properties>\n"
        for r in run.scenarios {
            x += "    <testcase classname=\"\(xml(run.suite))\" name=\"\(xml(r.name))\" file=\"\(xml(r.file))\" time=\"\(String(format: "%.3f", r.seconds))\""
            let out = "expected: \(expectedCell(r))\ncounted: \(countedCell(r))\nspeed: \(speedCell(r)); \(speedVerdictCell(r))"
            switch r.verdict {
            case .pass:
                x += ">\n      <system-out>\(xml(out))</system-out>\n    </testcase>\n"
            case .fail:
                x += ">\n      <failure message=\"\(xml(r.failures.first ?? "failed"))\" type=\"expectation\">\(xml(r.failures.joined(separator: "\n")))</failure>\n"
                x += "      <system-out>\(xml(out))</system-out>\n    </testcase>\n"
            case .knownWeakness:
                // Skipped: neither passed nor failed, with what it counted in the message.
                x += ">\n      <skipped message=\"\(xml(knownWeaknessNote(r) + "; " + r.failures.joined(separator: "; ")))\"/>\n"
                x += "      <system-out>\(xml(out))</system-out>\n    </testcase>\n"
            case .error:
                x += ">\n      <error message=\"\(xml(r.error ?? "error"))\" type=\"error\">\(xml(r.failures.joined(separator: "\n")))</error>\n    </testcase>\n"
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

    // MARK: the signed report (Markdown and HTML from one document)

    /// With `images`, an evidence section links each scenario's pictures in `imageFolder`
    /// (relative to the report; the caller writes them there with `ReportImages`).
    public static func markdown(_ run: SuiteRun, images: ReportImages? = nil, imageFolder: String? = nil) -> String {
        ReportDocument.signed(run, images: images).markdown(imageFolder: imageFolder)
    }
    /// With `images`, each scenario's pictures are embedded (data: URIs): the file opens with no network.
    public static func html(_ run: SuiteRun, images: ReportImages? = nil) -> String {
        ReportDocument.signed(run, images: images).html(title: "Biên bản kiểm thử nghiệm thu / Acceptance test report — \(run.suite)")
    }

    /// Crossings expected and counted over every checked line, and the sum of absolute errors.
    static func totals(_ run: SuiteRun) -> (expected: Int, counted: Int, absError: Int) {
        let l = run.scenarios.flatMap(\.lines)
        return (l.reduce(0) { $0 + $1.expectedIn + $1.expectedOut }, l.reduce(0) { $0 + $1.countedIn + $1.countedOut },
                l.reduce(0) { $0 + abs($1.errorIn) + abs($1.errorOut) })
    }

    static func verdictVi(_ v: TestVerdict) -> String { Words.testVerdict(v.rawValue, .vi) + " / " + verdictCell(v) }

    /// Says a count miss is a known weakness, reported and not failed, and why.
    static func knownWeaknessNote(_ r: ScenarioReport) -> String {
        "known weakness, reported and not failed: \(r.knownWeakness ?? "")"
    }
}

extension ScenarioResult {
    /// The store's row for this result (the first checked line in the count columns; all failures in
    /// `detail`), with the whole report entry as JSON so the signed report can be written again later.
    public func record(_ report: ScenarioReport, finishedMs: Int64) -> TestResultRecord {
        let l = lines.first
        let tol = scenario.lines.first(where: { $0.line.id == l?.lineId })?.tolerance ?? scenario.sceneLine?.tolerance
        var detail = failures.joined(separator: "\n")
        if detail.isEmpty {
            detail = lines.count > 1 ? lines.map { "\($0.lineId): in \($0.countedIn) out \($0.countedOut)" }.joined(separator: "; ") : "ok"
        }
        if let note = speedNote, !failures.contains(note) { detail += "\n\(note) (reported, not failed)" }
        let json = (try? JSONEncoder().encode(report)).flatMap { String(data: $0, encoding: .utf8) }
        return TestResultRecord(scenario: scenario.name, lineId: l?.lineId, expectedIn: l?.expectedIn, expectedOut: l?.expectedOut,
                                countedIn: l?.countedIn, countedOut: l?.countedOut, tolerance: l == nil ? nil : tol?.storedValue,
                                fps: verdict == .error ? nil : observation.fps, requiredFps: requiredFps,
                                verdict: verdict, detail: detail, frames: observation.frames,
                                seconds: observation.seconds, finishedMs: finishedMs, reportJSON: json)
    }
}
