import Foundation
import GateStore

/// The Tests screen's overlays (Enter): a suite's folder and latest run, a run's every scenario.
extension Draw {
    func suiteDetail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ suite: SuiteInfo) {
        var lines: [(String, Role)] = [("\(S.suiteFolder): \(suite.path)", .normal)]
        if let p = suite.problem {
            lines.append((S.suiteProblem(p), .warn))
        } else {
            lines.append(("\(S.scenarioFiles): \(suite.scenarios)", .normal))
        }
        let runs = s.testRuns.filter { Lists.sameSuite($0.suite, suite.path) }
        if let last = runs.first {
            lines.append(("\(S.latestRun): #\(last.id) \(dateTime(last.startedMs)) \(runVerdict(last)) \(last.passed)/\(last.failed)"
                          + stoppedNote(last, g), runRole(last)))
            lines.append(("\(S.report): \(s.reports[last.id] ?? S.reportNotWritten(last.id, ctx.dbPath))", s.reports[last.id] == nil ? .dim : .normal))
        } else {
            lines.append((S.noRunsOfSuite, .dim))
        }
        lines.append((S.suiteDetailRun, .accent))
        popup(&g, r, title: suite.name, lines: lines)
    }

    /// Counted minus expected, in/out ("+0/-2"); "—" when either side is unknown.
    static func countError(_ t: TestResultRecord) -> String {
        func d(_ c: Int?, _ e: Int?) -> String {
            guard let c, let e else { return "—" }
            return c - e > 0 ? "+\(c - e)" : c - e == 0 ? "0" : "\(c - e)"
        }
        return "\(d(t.countedIn, t.expectedIn))/\(d(t.countedOut, t.expectedOut))"
    }

    /// Enter on a run: every scenario with expected, counted, error, speed, verdict and
    /// its diff line, then the report and log when this console started the run.
    func runDetail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ run: TestRunVM) {
        g.fill(r)
        let title = "#\(run.id) \(run.suite) \(g.glyphs.dot) \(dateTime(run.startedMs)) \(g.glyphs.dot) \(runVerdict(run)) \(run.passed)/\(run.failed)"
            + stoppedNote(run, g)
        g.box(r, title: title)
        let inner = Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 2)
        var foot: [(String, Role)] = []
        // Only a report that is on disk is offered (the controller checks); else how to write it.
        let report = s.reports[run.id]
        // Wrapped (two lines at most): the command that writes the report is not cut on 80 columns.
        for l in TextWidth.wrap("\(S.report): \(report ?? S.reportNotWritten(run.id, ctx.dbPath))", width: inner.w - 2).prefix(2) {
            foot.append((l, report == nil ? .dim : .normal))
        }
        if let l = s.liveRun, l.runId == run.id { foot.append(("\(S.log): \(l.logPath)", .dim)) }
        foot.append(("Enter/Esc", .dim))
        let tableH = max(1, inner.h - foot.count)
        if run.results.isEmpty {
            g.put(S.noResults, x: inner.x + 1, y: inner.y, role: .dim)
        } else {
            func n(_ v: Int?) -> String { v.map(String.init) ?? "—" }
            let wide = inner.w >= 120
            let cols = [Widgets.Column(S.scenario, wide ? 26 : 16), Widgets.Column(S.expected, 8, right: true),
                        Widgets.Column(S.counted, 8, right: true), Widgets.Column(S.errorCol, 7, right: true),
                        Widgets.Column(S.speed, 10, right: true), Widgets.Column(S.verdict, 7), Widgets.Column(S.detailCol, 0)]
            let rows = run.results.map { t in
                [t.scenario, "\(n(t.expectedIn))/\(n(t.expectedOut))", "\(n(t.countedIn))/\(n(t.countedOut))", Self.countError(t),
                 "\(t.fps.map { fmt($0) } ?? "—")/\(t.requiredFps.map { fmt($0, 0) } ?? "—")", S.verdictName(t.verdict.rawValue),
                 Shown.masked(t.detail ?? "").replacingOccurrences(of: "\n", with: "; ")]
            }
            let th = min(tableH, rows.count + 1)
            Widgets.table(&g, Rect(x: inner.x + 1, y: inner.y, w: inner.w - 2, h: th), columns: cols, rows: rows,
                          roles: { row, col in col == 5 || (col == 6 && run.results[row].verdict != .known(.pass)) ? verdictRole(run.results[row].verdict.rawValue) : nil })
            // The diff lines in full (the column above is cut on narrow terminals).
            var y = inner.y + th + 1
            for t in run.results where t.verdict != .known(.pass) && !(t.detail ?? "").isEmpty {
                for part in Shown.masked(t.detail ?? "").split(separator: "\n") where y < inner.maxY - foot.count {
                    g.put("\(S.verdictName(t.verdict.rawValue)) \(t.scenario): \(part)", x: inner.x + 1, y: y, role: verdictRole(t.verdict.rawValue), maxWidth: inner.w - 2)
                    y += 1
                }
            }
        }
        for (i, (l, role)) in foot.enumerated() {
            g.put(l, x: inner.x + 1, y: inner.maxY - foot.count + i, role: role, maxWidth: inner.w - 2)
        }
    }

}
