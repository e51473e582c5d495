import Foundation

/// Screen 5: acceptance suites on disk, this console's run of one, the stored runs and the selected run's results.
extension Draw {
    func tests(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let suites = Lists.suites(s, filter: state.filter)
        let runs = Lists.runs(s, filter: state.filter)
        let sel = state.selected
        var y = r.y
        heading(&g, r.x + 1, y, S.suitesHeading, w: r.w - 2)
        y += 1
        if suites.isEmpty {
            // Say where it looked, so "none" on a box outside the checkout tells what to give.
            let lines = TextWidth.wrap(none(S.noSuitesIn(s.suiteSearch)), width: r.w - 2).prefix(3)
            for l in lines { g.put(l, x: r.x + 1, y: y, role: .dim, maxWidth: r.w - 2); y += 1 }
            y += 1
        } else {
            let cols = [Widgets.Column(S.suiteFolder, 0), Widgets.Column(S.scenarioCount, 10, right: true)]
            let rows = suites.map { su in [su.path + (su.problem.map { "  (\(S.suiteProblem($0)))" } ?? ""), su.problem == nil ? "\(su.scenarios)" : "—"] }
            let h = min(rows.count + 1, max(2, r.h / 5))
            Widgets.table(&g, Rect(x: r.x + 1, y: y, w: r.w - 2, h: h), columns: cols, rows: rows,
                          selected: sel < suites.count ? sel : nil,
                          roles: { row, _ in suites[row].problem != nil ? .warn : nil })
            y += h + 1
        }
        if let live = s.liveRun {
            liveRun(&g, Rect(x: r.x, y: y, w: r.w, h: 3), live, s)
            y += 4
        }
        heading(&g, r.x + 1, y, S.runs, w: r.w - 2)
        guard !runs.isEmpty else { g.put(" " + none(S.noRuns), x: r.x, y: y + 1, role: .dim, maxWidth: r.w); return }
        let cols = [Widgets.Column(S.started, 16), Widgets.Column(S.suite, 0), Widgets.Column(S.verdict, 9),
                    Widgets.Column(S.passedFailed, 9, right: true), Widgets.Column(S.version, 8), Widgets.Column(S.machine, 12)]
        let rows = runs.map { t in
            [dateTime(t.startedMs), t.suite, runVerdict(t), "\(t.passed)/\(t.failed)", t.version, t.machine]
        }
        let runsH = min(rows.count + 1, max(2, (r.maxY - y - 1) / 3))
        let runSel = sel - suites.count
        Widgets.table(&g, Rect(x: r.x + 1, y: y + 1, w: r.w - 2, h: runsH), columns: cols, rows: rows,
                      selected: runSel >= 0 ? runSel : nil, roles: { row, col in col == 2 ? runRole(runs[row]) : nil })
        y += runsH + 2
        // The selected run; on a suite row, this console's run of it, else its latest run.
        let run: TestRunVM?
        if runSel >= 0 { run = runs[min(runSel, runs.count - 1)] } else {
            let suite = suites.isEmpty ? nil : suites[min(sel, suites.count - 1)].path
            run = runs.first { $0.id == s.liveRun?.runId && s.liveRun?.suite == suite } ?? runs.first { Lists.sameSuite($0.suite, suite) }
        }
        guard y < r.maxY else { return }
        guard let run else { g.put(" " + (runSel < 0 && !suites.isEmpty ? S.noRunsOfSuite : S.noResults), x: r.x, y: y, role: .dim); return }
        heading(&g, r.x + 1, y, "\(S.results): \(run.suite) \(g.glyphs.dot) \(dateTime(run.startedMs))" + stoppedNote(run, g), w: r.w - 2)
        resultsTable(&g, Rect(x: r.x + 1, y: y + 1, w: r.w - 2, h: r.maxY - y - 1), run)
    }

    /// Three lines: what runs and how far (scenario n/N and a bar), then the outcome or the log.
    func liveRun(_ g: inout Grid, _ r: Rect, _ l: LiveRunVM, _ s: ConsoleSnapshot) {
        let row = l.runId.flatMap { id in s.testRuns.first { $0.id == id } }
        let done = row?.results.count ?? 0
        let total = max(l.total, done)
        let elapsed = shortAge(max(0, (row?.finishedMs ?? now) - l.startedMs))
        let head: String, role: Role
        switch l.phase {
        case .running:
            head = "\(S.runningWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) " +
                (row == nil ? S.waitingForRun : S.scenarioOf(min(done + 1, total), total)) + " \(g.glyphs.dot) \(elapsed)"
            role = .accent
        case .finished:
            let v = row?.verdict.rawValue ?? "fail"
            // Stopped from outside (Ctrl-C in its log's terminal, kill): stopped, not failed.
            if let row, row.isStopped {
                head = "\(S.stoppedHead): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.ranOf(done, total)) \(g.glyphs.dot) \(elapsed)"
                role = .warn
            } else {
                head = "\(S.finishedWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.verdict): \(S.verdictName(v)) \(g.glyphs.dot) \(row?.passed ?? 0)/\(row?.failed ?? 0) \(g.glyphs.dot) \(elapsed)"
                role = verdictRole(v)
            }
        case .cancelled:
            head = "\(S.stoppedHead): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.ranOf(done, total))"
            role = .warn
        case .failed:
            head = "\(S.failedWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.doneOf(done, total))"
            role = .crit
        }
        g.put(head, x: r.x + 1, y: r.y, role: role, maxWidth: r.w - 2)
        if case .failed(let why) = l.phase {
            // Why, then where to look: the log path is never cut by a long reason.
            g.put(S.runFailure(why), x: r.x + 1, y: r.y + 1, role: .crit, maxWidth: r.w - 2)
        } else {
            let frac = total > 0 ? Double(done) / Double(total) : 0
            Widgets.gauge(&g, Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: 1), fraction: frac, label: S.doneOf(done, total),
                          role: l.phase == .finished ? verdictRole(row?.verdict.rawValue ?? "fail") : l.phase == .running ? .ok : .warn)
        }
        if l.phase == .finished, FileManager.default.fileExists(atPath: l.reportPath) {
            g.put("\(S.report): \(l.reportPath)", x: r.x + 1, y: r.y + 2, role: .dim, maxWidth: r.w - 2)
        } else {
            g.put("\(S.log): \(l.logPath)", x: r.x + 1, y: r.y + 2, role: .dim, maxWidth: r.w - 2)
        }
    }

    func resultsTable(_ g: inout Grid, _ r: Rect, _ run: TestRunVM) {
        guard !run.results.isEmpty else { g.put(S.noResults, x: r.x, y: r.y, role: .dim); return }
        func n(_ v: Int?) -> String { v.map(String.init) ?? "—" }
        let cols = [Widgets.Column(S.scenario, 0), Widgets.Column(S.line, 8), Widgets.Column(S.expected, 9, right: true),
                    Widgets.Column(S.counted, 9, right: true), Widgets.Column("fps", 11, right: true), Widgets.Column(S.verdict, 7)]
        let rows = run.results.map { t in
            [t.scenario, t.lineId ?? "—", "\(n(t.expectedIn))/\(n(t.expectedOut))", "\(n(t.countedIn))/\(n(t.countedOut))",
             "\(t.fps.map { fmt($0) } ?? "—")/\(t.requiredFps.map { fmt($0, 0) } ?? "—")", S.verdictName(t.verdict.rawValue)]
        }
        Widgets.table(&g, r, columns: cols, rows: rows, roles: { row, col in col == 5 ? verdictRole(run.results[row].verdict.rawValue) : nil })
    }

    /// The verdict a run is listed with: a run stopped part way is "stopped", not a failure.
    func runVerdict(_ t: TestRunVM) -> String { t.isStopped ? S.stoppedRun : S.verdictName(t.verdict.rawValue) }
    func runRole(_ t: TestRunVM) -> Role { t.isStopped ? .warn : verdictRole(t.verdict.rawValue) }
    /// " · 1 of 2 scenarios ran" for a stopped run whose plan is known.
    func stoppedNote(_ t: TestRunVM, _ g: Grid) -> String {
        guard t.isStopped, let n = t.plannedScenarios, n > 0 else { return "" }
        return " \(g.glyphs.dot) \(S.ranOf(t.results.count, n))"
    }

    /// Enter on a suite: its folder, scenario files, latest run and report; running it is `r`.
}
