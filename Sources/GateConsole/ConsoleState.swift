import Foundation
import GateCore
import GateStore

public enum ScreenID: Int, CaseIterable, Sendable {
    case overview, gate, alerts, history, tests, health
}

public enum InputMode: Equatable, Sendable {
    case filter(TextInput)
    case ackNote(alertId: Int64, TextInput)
    case ackName(alertId: Int64, note: String, TextInput)
    /// Where the History CSV files go: a path prefix (…-hourly.csv, …-daily.csv) or a folder.
    case exportPath(TextInput)
    /// Setting the head count by hand: the count, then how it was counted, then who.
    case correctCount(TextInput)
    case correctNote(count: Int, TextInput)
    case correctName(count: Int, note: String, TextInput)
}

/// What a key asks the outside world to do.
public enum Effect: Equatable, Sendable {
    case quit
    case reload
    case acknowledge(alertId: Int64, by: String, note: String)
    /// Set the site's head count (audited with who and why).
    case correctOccupancy(count: Int, by: String, note: String)
    /// Write the History tables as CSV to this prefix or folder (typed by the user).
    case exportCSV(String)
    case cycleTheme
    /// Start `gatewatch test` on this suite (confirmed with y).
    case runSuite(SuiteInfo)
    /// Write the edited lines of a feed into the site file (checked first).
    case saveLines(feedId: String, lines: [LineConfig])
    /// A click while editing: the chosen end goes where it points on the picture.
    case placeEnd(x: Int, y: Int)
    /// Stop the suite this console is running (confirmed with y).
    case cancelRun
    /// The province view: open this site on the usual screens, or go back to the list.
    case openSite(String)
    case backToProvince
}

/// A question answered with y (anything else declines).
public enum Confirm: Equatable, Sendable {
    case runSuite(SuiteInfo)
    case cancelRun
}

/// Everything the user has chosen; changed only by keys (pure, testable).
public struct ConsoleState: Equatable, Sendable {
    public var screen: ScreenID = .overview
    public var selection: [ScreenID: Int] = [:]
    public var gateIndex = 0
    public var historyDaysBack = 0
    public var filters: [ScreenID: String] = [:]
    public var input: InputMode?
    public var showHelp = false
    public var detailOpen = false
    public var message: String?
    public var confirm: Confirm?
    public var language: Language
    /// The column the main table of a screen is sorted by (absent: the stored order); `s` cycles.
    public var sortColumn: [ScreenID: Int] = [:]
    /// Who acknowledges alerts unless another name is typed.
    public var userName: String
    /// The folder `e` proposes for CSV files (the user may type another path).
    public var exportDirectory = FileManager.default.currentDirectoryPath
    /// The feed of the gate whose picture the Gate screen shows (`f` steps through them).
    public var feedIndex = 0
    /// The line editor, while open (`e` on the Gate screen).
    public var editor: LineEditor?

    public init(language: Language, userName: String) { self.language = language; self.userName = userName }

    public var selected: Int { selection[screen] ?? 0 }
    /// The sort of this screen's main table, for Lists.
    public var sort: Sort? { sortColumn[screen].map { Sort(column: $0, language: language) } }

    /// Columns `s` steps through on each screen with a sortable main table (indices of its columns).
    static let sortable: [ScreenID: [Int]] = [.overview: [0, 1, 2], .alerts: [1, 3, 4, 5, 2], .health: [0, 1, 2, 4, 5, 6, 7]]

    /// The next sort column of this screen, then back to the stored order.
    mutating func cycleSort() {
        guard let cols = Self.sortable[screen] else { message = Strings(language).notSortable; return }
        let next: Int?
        if let c = sortColumn[screen], let i = cols.firstIndex(of: c) { next = i + 1 < cols.count ? cols[i + 1] : nil } else { next = cols[0] }
        sortColumn[screen] = next
        selection[screen] = 0
    }
    public var filter: String { filters[screen] ?? "" }

    public func loadRequest(_ snap: ConsoleSnapshot?) -> LoadRequest {
        let gates = snap?.gates ?? []
        let gid = gates.isEmpty ? nil : gates[min(gateIndex, gates.count - 1)].id
        return LoadRequest(gateId: gid, historyDaysBack: historyDaysBack)
    }

    /// Applies one key; returns the effects for the controller to carry out.
    public mutating func handle(_ key: Key, snapshot snap: ConsoleSnapshot?, now: Int64) -> [Effect] {
        if let taken = handleOverlay(key) { return taken }
        message = nil
        let count = Lists.count(screen, snap, filter: filter, now: now)
        switch key {
        case .char("q"), .char("Q"): return [.quit]
        case .char(let c) where ("1"..."6").contains(c):
            switch_(to: ScreenID(rawValue: Int(String(c))! - 1)!)
        case .tab: switch_(to: ScreenID(rawValue: (screen.rawValue + 1) % ScreenID.allCases.count)!)
        case .backTab: switch_(to: ScreenID(rawValue: (screen.rawValue + ScreenID.allCases.count - 1) % ScreenID.allCases.count)!)
        case .char("?"): showHelp = true
        case .char("t"): return [.cycleTheme]
        case .char("s"): cycleSort()
        case .char("L"): language = language == .vi ? .en : .vi
        case .char("/"): input = .filter(TextInput(label: Strings(language).filter, text: filter))
        case .escape: filters[screen] = nil; selection[screen] = 0
        case .up, .char("k"): move(-1, count)
        case .down, .char("j"): move(1, count)
        case .pageUp: move(-10, count)
        case .pageDown: move(10, count)
        case .home, .char("g"): selection[screen] = 0
        case .end, .char("G"): selection[screen] = max(0, count - 1)
        case .left, .char("h"), .right, .char("l"):
            return sideways((key == .left || key == .char("h")) ? -1 : 1, snap)
        case .enter: return open(snap, count)
        default: return handleScreenKey(key, snap)
        }
        return []
    }

    /// Keys taken by what is open over the screen (a prompt, a y/n question, help, a detail);
    /// nil when the key goes on to the screen.
    mutating func handleOverlay(_ key: Key) -> [Effect]? {
        if let mode = input { return handleInput(key, mode) }
        if let c = confirm {
            confirm = nil
            guard key == .char("y") || key == .char("Y") else { message = Strings(language).declined; return [] }
            switch c {
            case .runSuite(let s): return [.runSuite(s)]
            case .cancelRun: return [.cancelRun]
            }
        }
        if showHelp { showHelp = false; return [] }
        if editor != nil { return handleEditor(key) }
        if detailOpen, key == .enter || key == .escape || key == .char("q") { detailOpen = false; return [] }
        return nil
    }

    /// ← → (h l): the day before or after on History, the previous or next gate on Gate.
    mutating func sideways(_ d: Int, _ snap: ConsoleSnapshot?) -> [Effect] {
        if screen == .history {
            historyDaysBack = max(0, historyDaysBack - d); return [.reload]
        }
        if screen == .gate, let n = snap?.gates.count, n > 0 {
            gateIndex = (gateIndex + d + n) % n; selection[.gate] = 0; feedIndex = 0; return [.reload]
        }
        return []
    }

    /// Enter: a gate of the Overview opens on the Gate screen; a row of Tests, Alerts or Health opens its detail.
    mutating func open(_ snap: ConsoleSnapshot?, _ count: Int) -> [Effect] {
        if let sites = snap?.province {
            let shown = Lists.province(sites, filter: filter)
            guard selected < shown.count else { return [] }
            filters[screen] = nil
            switch_(to: .overview)
            return [.openSite(shown[selected].name)]
        }
        if screen == .overview {
            let shown = Lists.gates(snap, filter: filter, sort: sort)
            if selected < shown.count, let i = snap?.gates.firstIndex(where: { $0.id == shown[selected].id }) {
                gateIndex = i; selection[.gate] = 0; switch_(to: .gate); return [.reload]
            }
        }
        // Enter opens the selected suite or run (its detail); running a suite is `r`, confirmed with y.
        if screen == .tests, count > 0 { detailOpen = true }
        if (screen == .alerts || screen == .health), count > 0 { detailOpen = true }
        return []
    }

    /// The keys of one screen: r and x on Tests (run, cancel), a on Alerts (acknowledge),
    /// e on History (export); elsewhere r reloads.
    mutating func handleScreenKey(_ key: Key, _ snap: ConsoleSnapshot?) -> [Effect] {
        switch key {
        case .char("p"), .backspace:
            if snap?.province == nil { return [.backToProvince] }
        case .char("r") where screen == .tests:
            detailOpen = false
            let suites = Lists.suites(snap, filter: filter)
            if selected < suites.count { askToRun(suites[selected], snap) } else { message = Strings(language).pickSuite }
        case .char("x") where screen == .tests:
            if snap?.liveRun?.isRunning == true { confirm = .cancelRun } else { message = Strings(language).nothingToCancel }
        case .char("a") where screen == .alerts:
            let items = Lists.alerts(snap, filter: filter, sort: sort)
            guard selected < items.count else { break }
            let a = items[selected]
            if a.state == .known(.open) {
                input = .ackNote(alertId: a.id, TextInput(label: "\(Strings(language).ackPromptNote) #\(a.id)"))
            } else {
                message = Strings(language).notAcked(a.id)
            }
        case .char("o") where screen == .overview:
            input = .correctCount(TextInput(label: Strings(language).correctPromptCount, maxLength: 9))
        case .char("e") where screen == .history:
            guard let day = snap?.history?.day.label else { message = Strings(language).exportFailed(Strings(language).noData); break }
            let dir = exportDirectory.hasSuffix("/") ? exportDirectory : exportDirectory + "/"
            input = .exportPath(TextInput(label: Strings(language).exportTo, text: dir + "gatewatch-\(day)", maxLength: 1024))
        case .char("f") where screen == .gate: feedIndex += 1
        case .char("e") where screen == .gate: openEditor(snap)
        case .char("r"): return [.reload]
        default: break
        }
        return []
    }

    /// The feed the Gate screen shows: the gate's feeds in stored order, `feedIndex` of them.
    public func shownFeed(_ snap: ConsoleSnapshot?) -> FeedVM? {
        guard let s = snap, !s.gates.isEmpty else { return nil }
        let feeds = s.feeds(ofGate: s.gates[min(gateIndex, s.gates.count - 1)].id)
        return feeds.isEmpty ? nil : feeds[feedIndex % feeds.count]
    }

    /// `e` on the Gate screen: the shown feed's lines, as the runner recorded them, in the editor.
    mutating func openEditor(_ snap: ConsoleSnapshot?) {
        let S = Strings(language)
        guard let feed = shownFeed(snap) else { message = S.noFeedToEdit; return }
        guard snap?.site?.configPath != nil else { message = S.noSiteFile; return }
        let lines = (snap?.lines ?? []).filter { $0.feedId == feed.id }.map(\.config)
        editor = LineEditor(feedId: feed.id, lines: lines)
        if lines.isEmpty { editor?.add() }
        message = S.editorHint
    }

    /// The editor's keys (it takes every key while open; `LineEditor.handle` knows them).
    mutating func handleEditor(_ key: Key) -> [Effect] {
        guard var e = editor else { return [] }
        let S = Strings(language)
        message = nil
        switch e.handle(key) {
        case .cancel:
            editor = nil
            message = e.dirty ? S.editDiscarded : nil
            return []
        case .save: return [.saveLines(feedId: e.feedId, lines: e.lines)]
        case .click(let x, let y): return [.placeEnd(x: x, y: y)]
        case .lastLineStays: message = S.lastLineStays
        case .unknown: message = S.editorHint
        case .edited: break
        }
        editor = e
        return []
    }

    mutating func askToRun(_ suite: SuiteInfo, _ snap: ConsoleSnapshot?) {
        let S = Strings(language)
        if let l = snap?.liveRun, l.isRunning { message = S.alreadyRunning(l.suite); return }
        if let p = suite.problem { message = "\(suite.path): \(S.suiteProblem(p))"; return }
        confirm = .runSuite(suite)
    }

    mutating func switch_(to s: ScreenID) {
        if s != screen { detailOpen = false }
        screen = s
        return
    }

    mutating func move(_ d: Int, _ count: Int) {
        selection[screen] = max(0, min(max(0, count - 1), selected + d))
    }

    mutating func handleInput(_ key: Key, _ mode: InputMode) -> [Effect] {
        let S = Strings(language)
        switch mode {
        case .filter(var t):
            let out = t.handle(key)
            switch out {
            case .editing: input = .filter(t); filters[screen] = t.text.isEmpty ? nil : t.text; selection[screen] = 0
            case .done: input = nil
            case .cancelled: input = nil; filters[screen] = nil; selection[screen] = 0
            }
        case .ackNote(let id, var t):
            switch t.handle(key) {
            case .editing: input = .ackNote(alertId: id, t)
            case .done: input = .ackName(alertId: id, note: t.text, TextInput(label: S.ackPromptName, text: userName, maxLength: 64))
            case .cancelled: input = nil
            }
        case .exportPath(var t):
            switch t.handle(key) {
            case .editing: input = .exportPath(t)
            case .done:
                input = nil
                let path = t.text.trimmingCharacters(in: .whitespaces)
                if !path.isEmpty { return [.exportCSV(path)] }
            case .cancelled: input = nil
            }
        case .correctCount, .correctNote, .correctName:
            return handleCorrection(key, mode)
        case .ackName(let id, let note, var t):
            switch t.handle(key) {
            case .editing: input = .ackName(alertId: id, note: note, t)
            case .done:
                input = nil
                let by = t.text.trimmingCharacters(in: .whitespaces)
                return [.acknowledge(alertId: id, by: by.isEmpty ? userName : by, note: note)]
            case .cancelled: input = nil
            }
        }
        return []
    }
}

extension ConsoleState {
    /// The three prompts of a head-count correction; a count that is not a whole number ends
    /// them with one line saying so (press o again).
    mutating func handleCorrection(_ key: Key, _ mode: InputMode) -> [Effect] {
        let S = Strings(language)
        switch mode {
        case .correctCount(var t):
            switch t.handle(key) {
            case .editing: input = .correctCount(t)
            case .done:
                let text = t.text.trimmingCharacters(in: .whitespaces)
                guard let n = Int(text), n >= 0 else { message = S.correctBadCount(text); input = nil; break }
                input = .correctNote(count: n, TextInput(label: S.correctPromptNote, maxLength: OccupancyCorrection.maxNoteLength))
            case .cancelled: input = nil
            }
        case .correctNote(let n, var t):
            switch t.handle(key) {
            case .editing: input = .correctNote(count: n, t)
            case .done:
                input = .correctName(count: n, note: t.text, TextInput(label: S.correctPromptName, text: userName,
                                                                         maxLength: OccupancyCorrection.maxNameLength))
            case .cancelled: input = nil
            }
        case .correctName(let n, let note, var t):
            switch t.handle(key) {
            case .editing: input = .correctName(count: n, note: note, t)
            case .done:
                input = nil
                let by = t.text.trimmingCharacters(in: .whitespaces)
                return [.correctOccupancy(count: n, by: by.isEmpty ? userName : by, note: note)]
            case .cancelled: input = nil
            }
        default: break
        }
        return []
    }
}

/// How a screen's main table is sorted: a column index of that table, and the language
/// its words are compared in.
public struct Sort: Equatable, Sendable {
    public var column: Int
    public var language: Language
}

/// The filtered lists each screen shows (shared by drawing and key handling so they agree).
enum Lists {
    /// Every word of the filter appears in one of the fields, ignoring case and Vietnamese
    /// marks (`mat camera` finds `mất camera`).
    static func matches(_ filter: String, _ fields: [String]) -> Bool {
        if filter.isEmpty { return true }
        let folded = fields.map { TextWidth.asciiFold($0).lowercased() }
        return TextWidth.asciiFold(filter).lowercased().split(separator: " ").allSatisfy { word in
            folded.contains { $0.contains(word) }
        }
    }

    /// The words shown for a row, in both languages: the filter finds what either console shows.
    static func bothLanguages(_ words: (Strings) -> [String]) -> [String] {
        Language.allCases.flatMap { words(Strings($0)) }
    }

    static func alerts(_ s: ConsoleSnapshot?, filter: String, sort: Sort? = nil) -> [AlertRow] {
        let items = (s?.alerts ?? []).filter { a in
            matches(filter, [a.subjectId, "#\(a.id)"] + bothLanguages { S in
                [S.alertKind(a.kind.rawValue), S.severityName(a.severity.rawValue), S.alertState(a.state.rawValue), a.message(in: S.lang)]
            })
        }
        guard let sort else { return items }
        let S = Strings(sort.language)
        func severity(_ a: AlertRow) -> Int { [.critical: 0, .warning: 1, .info: 2][a.severity.known] ?? 3 }
        func state(_ a: AlertRow) -> Int { [.open: 0, .acknowledged: 1, .resolved: 2][a.state.known] ?? 3 }
        switch sort.column {
        case 1: return sorted(items, by: { (severity($0), -$0.raisedMs) < (severity($1), -$1.raisedMs) })
        case 2: return sorted(items, by: { (state($0), -$0.raisedMs) < (state($1), -$1.raisedMs) })
        case 3: return sorted(items, by: { $0.raisedMs > $1.raisedMs })
        case 4: return sorted(items, by: { S.alertKind($0.kind.rawValue).localizedCompare(S.alertKind($1.kind.rawValue)) == .orderedAscending })
        case 5: return sorted(items, by: { $0.subjectId.localizedCompare($1.subjectId) == .orderedAscending })
        default: return items
        }
    }

    /// A stable sort (ties keep the stored order).
    static func sorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
        items.enumerated().sorted { less($0.element, $1.element) || (!less($1.element, $0.element) && $0.offset < $1.offset) }
            .map(\.element)
    }
    static func crossings(_ s: ConsoleSnapshot?, filter: String) -> [NamedCrossing] {
        (s?.crossings ?? []).filter { c in
            matches(filter, [c.lineName, c.lineId, "\(c.trackId)"] + bothLanguages { [$0.dirName(c.direction.rawValue)] })
        }
    }
    static func runs(_ s: ConsoleSnapshot?, filter: String) -> [TestRunVM] {
        (s?.testRuns ?? []).filter { matches(filter, [$0.suite, $0.verdict.rawValue, $0.version, $0.machine]) }
    }
    static func suites(_ s: ConsoleSnapshot?, filter: String) -> [SuiteInfo] {
        (s?.suites ?? []).filter { matches(filter, [$0.path]) }
    }
    /// A run's stored suite names this folder: the same path, or a relative path it ends with
    /// (`gatewatch test samples/acceptance` run from the folder above).
    static func sameSuite(_ stored: String, _ folder: String?) -> Bool {
        guard let folder else { return false }
        if stored == folder { return true }
        return !stored.hasPrefix("/") && !stored.isEmpty && folder.hasSuffix("/" + stored)
    }
    /// The suite under the Tests screen's selection, if it is on a suite row.
    static func selectedSuite(_ s: ConsoleSnapshot?, filter: String, selected: Int) -> SuiteInfo? {
        let all = suites(s, filter: filter)
        return selected >= 0 && selected < all.count ? all[selected] : nil
    }
    /// The Tests screen's one selection runs over suites first, then runs.
    static func selectedRun(_ s: ConsoleSnapshot?, filter: String, selected: Int) -> TestRunVM? {
        let i = selected - suites(s, filter: filter).count
        let r = runs(s, filter: filter)
        return i >= 0 && i < r.count ? r[i] : nil
    }
    static func feeds(_ s: ConsoleSnapshot?, filter: String, sort: Sort? = nil) -> [FeedVM] {
        let items = (s?.feeds ?? []).filter { f in
            let state = FeedDisplayState(rawValue: f.health?.state ?? "") ?? .unknown
            return matches(filter, [f.id, f.name, f.gateId, f.shownSource, f.detector, f.health?.shownError ?? ""]
                           + bothLanguages { [$0.feedState(state)] })
        }
        guard let sort else { return items }
        // Worst first: what needs a technician comes to the top.
        func rank(_ f: FeedVM) -> Int {
            ["offline": 0, "stopped": 1, "reconnecting": 2, "stale": 3, "starting": 4, "unknown": 5, "ended": 6, "live": 7][f.health?.state ?? "unknown"] ?? 5
        }
        switch sort.column {
        case 0: return sorted(items, by: { $0.name.localizedCompare($1.name) == .orderedAscending })
        case 1: return sorted(items, by: { rank($0) < rank($1) })
        case 2: return sorted(items, by: { ($0.health?.processFps ?? 0) < ($1.health?.processFps ?? 0) })
        case 4: return sorted(items, by: { ($0.health?.dropped ?? 0) > ($1.health?.dropped ?? 0) })
        case 5: return sorted(items, by: { ($0.health?.reconnects ?? 0) > ($1.health?.reconnects ?? 0) })
        case 6: return sorted(items, by: { ($0.health?.lastFrameMs ?? 0) < ($1.health?.lastFrameMs ?? 0) })
        case 7: return sorted(items, by: { ($0.health?.detectorRunsPerS ?? 0) > ($1.health?.detectorRunsPerS ?? 0) })
        default: return items
        }
    }
    /// The province's sites in the hub's order (what needs attention first).
    static func province(_ sites: [HubSiteSummary], filter: String) -> [HubSiteSummary] {
        sites.filter { matches(filter, [$0.name] + $0.attention) }
    }

    static func gates(_ s: ConsoleSnapshot?, filter: String, sort: Sort? = nil) -> [GateVM] {
        let items = (s?.gates ?? []).filter { matches(filter, [$0.id, $0.name]) }
        switch sort?.column {
        case 0: return sorted(items, by: { $0.name.localizedCompare($1.name) == .orderedAscending })
        case 1: return sorted(items, by: { $0.todayIn > $1.todayIn })
        case 2: return sorted(items, by: { $0.todayOut > $1.todayOut })
        default: return items
        }
    }

    static func count(_ screen: ScreenID, _ s: ConsoleSnapshot?, filter: String, now: Int64) -> Int {
        if let sites = s?.province { return province(sites, filter: filter).count }
        switch screen {
        case .overview: return gates(s, filter: filter).count
        case .gate: return crossings(s, filter: filter).count
        case .alerts: return alerts(s, filter: filter).count
        case .history: return 24
        case .tests: return suites(s, filter: filter).count + runs(s, filter: filter).count
        case .health: return feeds(s, filter: filter).count
        }
    }
}
