import CTerminal
import Foundation
import GateCore
import GateStore

/// How to open the console. The same console serves `gatewatch console --db FILE`
/// and the in-process demo (which passes its own database path).
public struct ConsoleOptions: Sendable {
    public var dbPath: String
    /// Theme id (default, light, high-contrast, monochrome, or any themes/*.theme) or a path to a .theme file;
    /// nil: the remembered one (settings file), else default.
    public var theme: String?
    /// nil: from LANG/LC_ALL, Vietnamese first.
    public var language: Language?
    /// Extra theme folders searched before the standard ones.
    public var themeDirectories: [String]
    /// Shown in the status bar, e.g. "demo".
    public var label: String?
    /// Polled with each tick; returning true closes the console (e.g. the demo's pipeline ended).
    public var shouldStop: (@Sendable () -> Bool)?
    /// Where `e` on the History screen writes CSV files (default: the current directory).
    public var exportDirectory: String
    /// Acceptance suite folders for the Tests screen (`--suites`); nil: SuiteCatalog.defaultDirectories().
    public var suiteDirectories: [String]?
    /// The gatewatch binary that runs suites (`gatewatch test`); nil: this process's own binary.
    public var testExecutable: String?
    /// The remembered settings (theme, language); nil: ConsoleSettings.defaultPath().
    public var settingsPath: String?
    /// The province hub and a reader key (`console --hub URL --key K`): the province view
    /// instead of one site's database.
    public var hub: (url: String, key: String)?

    public init(dbPath: String, theme: String? = nil, language: Language? = nil, themeDirectories: [String] = [],
                label: String? = nil, shouldStop: (@Sendable () -> Bool)? = nil,
                exportDirectory: String = FileManager.default.currentDirectoryPath,
                suiteDirectories: [String]? = nil, testExecutable: String? = nil) {
        self.dbPath = dbPath; self.theme = theme; self.language = language; self.themeDirectories = themeDirectories
        self.label = label; self.shouldStop = shouldStop; self.exportDirectory = exportDirectory
        self.suiteDirectories = suiteDirectories; self.testExecutable = testExecutable
    }
}

func nowMs() -> Int64 { currentTimeMs() }

/// Why the console ended.
public enum ConsoleEnd: Equatable, Sendable {
    /// `q`, or `shouldStop` said so.
    case quit
    /// The first SIGINT, SIGTERM or SIGHUP.
    case signal(Int32)
    /// The terminal went away (SSH dropped, tmux session killed): EOF, EIO or POLLHUP on the tty.
    case terminalLost

    /// The signal the process should end by once the caller has cleaned up (nil: exit normally).
    /// A lost terminal ends as a hangup does.
    public var exitSignal: Int32? {
        switch self {
        case .quit: return nil
        case .signal(let s): return s
        case .terminalLost: return SIGHUP
        }
    }
}

/// Ends the process by `sig` with its default action, so the shell sees the conventional
/// status (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). Call after cleaning up.
public func endProcess(bySignal sig: Int32) -> Never {
    gw_term_die_by(sig)
    exit(128 + sig)
}

/// Runs the console until `q` (or Ctrl-C, SIGHUP, SIGTERM, or the terminal going away). Blocks.
/// The terminal is restored before it returns. Throws ConsoleError (one clear line) for a bad
/// theme or when there is no usable terminal.
@discardableResult
public func runConsole(_ options: ConsoleOptions) throws -> ConsoleEnd {
    let controller = try makeController(options)
    let backend = CursesBackend()
    try backend.start()
    defer { backend.stop(); backend.resetSignals() }
    return controller.run(backend)
}

/// The controller with its theme, language and remembered settings chosen: flags first, then
/// what was remembered, then the defaults. Throws ConsoleError for a theme given with --theme
/// that cannot be loaded.
func makeController(_ options: ConsoleOptions) throws -> ConsoleController {
    let dirs = options.themeDirectories + Theme.searchDirectories()
    let settingsPath = options.settingsPath ?? ConsoleSettings.defaultPath()
    let (saved, settingsProblem) = settingsPath.map { ConsoleSettings.load(path: $0) } ?? (ConsoleSettings(), nil)
    let lang = options.language ?? saved.language ?? Language.resolve(nil) ?? .vi
    let S = Strings(lang)
    var notes = settingsProblem.map { [S.settingsProblem($0)] } ?? []
    var first: Theme
    var themeSpec = options.theme ?? saved.theme ?? "default"
    do { first = try Theme.load(themeSpec, dirs: dirs) } catch let e as ThemeError {
        guard options.theme == nil else { throw ConsoleError(e.description) }
        // A remembered theme that is gone: the default, and say so once.
        notes.append(S.savedThemeGone(themeSpec))
        themeSpec = "default"
        first = (try? Theme.load("default", dirs: dirs)) ?? Theme.builtinDefault
    }
    let mono = (try? Theme.load("monochrome", dirs: dirs)) ?? Theme.fallbackMonochrome
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "operator"

    let controller = ConsoleController(options: options, theme: first, themeIds: Theme.available(in: dirs), themeDirs: dirs,
                                       monochrome: mono, language: lang, user: user)
    controller.settingsPath = settingsPath
    controller.themeSpec = themeSpec
    controller.startNotes = notes
    return controller
}

/// Ties the store, the state and the backend together: redraws on data change,
/// on keys and once a second (clock, ages), and otherwise sleeps in getch.
final class ConsoleController {
    let options: ConsoleOptions
    /// The site's database, or the province hub.
    let store: ConsoleDataSource
    var state: ConsoleState
    var theme: Theme
    let themeIds: [String]
    let themeDirs: [String]
    let monochrome: Theme
    var snapshot: ConsoleSnapshot?
    var problem: SourceProblem?
    var lastLoadAttempt: Int64 = 0
    let launcher: SuiteLauncher
    var suites: [SuiteInfo] = []
    var suiteSearch: [String] = []
    var lastSuiteScan: Int64 = 0
    /// Where `t` and `L` remember their choice (nil: nowhere to write).
    var settingsPath: String?
    /// What the current theme was loaded from (an id, or the path given with --theme).
    var themeSpec = "default"
    /// Said once in the footer at start (a settings file ignored, why text is ASCII).
    var startNotes: [String] = []
    /// `--suites` is written to the database once it can be (it may appear after the console starts).
    var suitesToRemember: [String]?
    /// Milliseconds since 1970; tests pin it so ages and the title clock do not move.
    var clock: () -> Int64 = nowMs
    /// The Gate screen's live picture, asked of the runner only while that screen shows.
    var previews: PreviewFollower
    /// Where the last frame drew the picture (clicks while editing are read against it).
    var pictureArea: Rect?

    init(options: ConsoleOptions, theme: Theme, themeIds: [String], themeDirs: [String], monochrome: Theme, language: Language, user: String) {
        self.options = options; self.theme = theme; self.themeIds = themeIds; self.themeDirs = themeDirs
        self.monochrome = monochrome
        store = options.hub.map { HubConsoleSource(url: $0.url, key: $0.key) } ?? ConsoleStore(path: options.dbPath)
        state = ConsoleState(language: language, userName: user)
        state.exportDirectory = options.exportDirectory
        launcher = SuiteLauncher(executable: options.testExecutable ?? SuiteLauncher.selfExecutable(), dbPath: options.dbPath)
        suitesToRemember = options.suiteDirectories.map { $0.map { SuiteCatalog.absolute($0) } }
        previews = PreviewFollower(channel: PreviewChannel(databasePath: options.dbPath))
    }

    func reload(now: Int64) {
        lastLoadAttempt = now
        switch store.load(state.loadRequest(snapshot), now: now) {
        case .success(let s): snapshot = s; problem = nil
        case .failure(let p): problem = p   // keep the last data on screen; the banner says why it is old
        }
        if let s = snapshot { launcher.update(runs: s.testRuns) }
        if problem == nil { rememberSuites(now: now) }
        // The folders remembered in the database may differ from the ones listed: list them now.
        if options.suiteDirectories == nil, let dirs = snapshot?.rememberedSuites, dirs != suiteSearch { scanSuites(now: now) }
        decorate()
    }

    /// Adds what is not in the database (suites on disk, this console's run, reports on disk) to the snapshot.
    func decorate() {
        guard snapshot != nil else { return }
        snapshot!.suites = suites
        snapshot!.suiteSearch = suiteSearch
        snapshot!.liveRun = launcher.live
        // Only a report file that exists is offered: a stopped run's report was never written.
        var reports: [Int64: String] = [:]
        for run in snapshot!.testRuns {
            if let p = run.reportPath ?? launcher.reports[run.id], FileManager.default.fileExists(atPath: p) { reports[run.id] = p }
        }
        snapshot!.reports = reports
    }

    /// `--suites`, else the folders remembered in the database, else the standard places.
    func scanSuites(now: Int64) {
        lastSuiteScan = now
        if let dirs = options.suiteDirectories ?? snapshot?.rememberedSuites {
            suiteSearch = dirs
            suites = SuiteCatalog.discover(dirs)
        } else {
            suiteSearch = SuiteCatalog.candidateDirectories()
            suites = SuiteCatalog.discover(suiteSearch.filter(SuiteCatalog.isDirectory))
        }
        decorate()
    }

    /// Writes `--suites` to the database once (a console started later without it lists the same).
    func rememberSuites(now: Int64) {
        guard let dirs = suitesToRemember else { return }
        suitesToRemember = nil
        guard snapshot?.rememberedSuites != dirs else { return }
        do { try store.rememberSuiteFolders(dirs, now: now) } catch {
            state.message = Strings(state.language).suitesNotRemembered("\(error)")
        }
    }

    func startSuite(_ chosen: SuiteInfo) {
        let S = Strings(state.language)
        // Count the files now: N is what this run will go through.
        let suite = SuiteCatalog.discover([chosen.path]).first ?? chosen
        if let why = launcher.start(suite, now: clock(), strings: S) { state.message = why; return }
        if let l = launcher.live, case .failed(let why) = l.phase { state.message = "\(S.runFailure(why)); \(S.log.lowercased()): \(l.logPath)" } else {
            state.message = S.started((suite.path as NSString).lastPathComponent, launcher.live?.logPath ?? "")
        }
        decorate()
    }

    func cancelSuite() {
        let S = Strings(state.language)
        guard launcher.cancel() else { state.message = S.nothingToCancel; return }
        let name = (launcher.live?.suite as NSString?)?.lastPathComponent ?? ""
        // The child closes its own run on SIGTERM; the console closes it only when it had to kill it.
        if launcher.reapAfterCancel() {
            state.message = closeKilledRun(name)
        } else {
            state.message = S.cancelled(name)
            reload(now: clock())
        }
    }

    /// The child did not end on SIGTERM and was killed before closing its run: close it here
    /// (stopped, with its results so far) so no reader sees it running forever, and say so.
    func closeKilledRun(_ name: String) -> String {
        let S = Strings(state.language)
        reload(now: clock())
        guard let id = launcher.live?.runId else { return S.killedNoRun(name) }
        var text = S.killedAndClosed(name, id)
        do { try store.closeCancelledRun(id: id, now: clock()) } catch {
            text = S.cannotCloseRun(id, options.dbPath)
        }
        reload(now: clock())
        return text
    }

    var themeLabel: String {
        let base = Strings(state.language).themeName(theme.id, fallback: theme.name)
        return options.label.map { "\($0) \u{B7} \(base)" } ?? base
    }

    func render(_ w: Int, _ h: Int, ascii: Bool, now: Int64, pictureColors: PictureColors = .ascii) -> Grid {
        var ctx = RenderContext(now: now, snapshot: snapshot, problem: problem, dbPath: options.dbPath, themeName: themeLabel)
        ctx.preview = state.screen == .gate ? previews.picture : nil
        ctx.previewChannelFound = previews.channelFound
        ctx.hubURL = options.hub.map { redactedURL($0.url) }
        ctx.pictureColors = pictureColors
        let grid = Renderer.frame(width: w, height: h, ascii: ascii, state: state, ctx: ctx)
        pictureArea = grid.pictureArea
        return grid
    }

    /// Runs the loop on `backend` until `q`, a signal, the terminal going away or `shouldStop`;
    /// says why it ended. Leaving stops a suite this console started (nobody would see it finish).
    func run(_ backend: TerminalBackend) -> ConsoleEnd {
        start(on: backend)
        defer { if launcher.live?.isRunning == true, launcher.stopOnExit() { _ = closeKilledRun("") } }
        var dirty = true
        var lastSecond: Int64 = -1
        while backend.stopSignal == 0 && !backend.terminalGone {
            if options.shouldStop?() == true { return .quit }
            let now = clock()
            if refreshData(now: now) { dirty = true }
            if now / 1000 != lastSecond { lastSecond = now / 1000; dirty = true }
            if dirty {
                let (w, h) = backend.size
                backend.draw(render(w, h, ascii: !backend.utf8, now: now, pictureColors: backend.pictureColors))
                // A slow terminal (a throttled SSH link) blocks in draw: fewer pictures, not a backlog.
                previews.drew(tookMs: clock() - now)
                dirty = false
            }
            backend.setMouse(state.editor != nil)
            guard let key = backend.readKey(timeoutMs: Self.tickMs) else { continue }
            dirty = true
            if key == .resize { backend.invalidate(); continue }
            if handle(key, backend) { return .quit }
        }
        return backend.stopSignal != 0 ? .signal(backend.stopSignal) : .terminalLost
    }

    /// How long the loop sleeps in the backend for a key before it checks for new data.
    static let tickMs: Int32 = 250

    /// The theme on the terminal, the start notes in the footer, the first data.
    func start(on backend: TerminalBackend) {
        backend.apply(theme: theme, monochrome: monochrome)
        // Once, in the footer: a settings file ignored, why the text has no Vietnamese marks.
        if let why = backend.asciiReason { startNotes.append(Strings(state.language).asciiBecause(why)) }
        if !startNotes.isEmpty { state.message = startNotes.joined(separator: " · ") }
        scanSuites(now: clock())
        reload(now: clock())
    }

    /// Reloads what changed (the database, this console's suite run, the suite folders on the
    /// Tests screen); true when the screen must be redrawn.
    func refreshData(now: Int64) -> Bool {
        var changed = false
        // Cheap change check (one pragma); while broken, retry about once a second.
        if problem == nil ? store.hasChanged() : now - lastLoadAttempt >= 1000 {
            reload(now: now); changed = true
        }
        if launcher.poll() { reload(now: now); changed = true }
        if state.screen == .tests && now - lastSuiteScan >= 5000 { scanSuites(now: now) }
        if previews.follow(state.screen == .gate ? state.shownFeed(snapshot)?.id : nil, now: now) { changed = true }
        return changed
    }

    /// One key: the state changes, then the controller carries out what it asked for.
    /// True when the key ends the console.
    func handle(_ key: Key, _ backend: TerminalBackend) -> Bool {
        let before = state.loadRequest(snapshot)
        let languageBefore = state.language
        defer { if state.language != languageBefore { saveSettings() } }
        for effect in state.handle(key, snapshot: snapshot, now: clock()) {
            if effect == .quit { return true }
            carryOut(effect, backend)
        }
        if state.loadRequest(snapshot) != before { reload(now: clock()) }
        return false
    }

    func carryOut(_ effect: Effect, _ backend: TerminalBackend) {
        switch effect {
        case .quit: break   // handled by the loop
        case .reload: reload(now: clock())
        case .cycleTheme:
            cycleTheme()
            saveSettings()
            backend.apply(theme: theme, monochrome: monochrome)
            backend.invalidate()
        case .acknowledge(let id, let by, let note):
            acknowledge(id, by: by, note: note)
        case .correctOccupancy(let count, let by, let note):
            correctOccupancy(count, by: by, note: note)
        case .exportCSV(let path):
            state.message = exportCSV(to: path)
        case .runSuite(let suite):
            startSuite(suite)
        case .cancelRun:
            cancelSuite()
        case .openSite(let name):
            guard let province = store.province else { break }
            province.open(site: name)
            snapshot = nil
            reload(now: clock())
        case .backToProvince:
            guard let province = store.province else { break }
            province.backToProvince()
            snapshot = nil
            reload(now: clock())
        case .saveLines(let feedId, let lines):
            saveLines(feedId: feedId, lines: lines)
        case .placeEnd(let x, let y):
            if let area = pictureArea, let p = PictureOverlay.point(atCell: x, y, in: area) { state.editor?.place(p) }
        }
    }

    /// Writes the edited lines into the site file the runner recorded, after the config checks;
    /// the runner sees the file change and reloads it. One line either way.
    func saveLines(feedId: String, lines: [LineConfig]) {
        let S = Strings(state.language)
        guard let path = snapshot?.site?.configPath else { state.message = S.noSiteFile; return }
        do {
            try SiteFileEditor.save(path: path) { try SiteFileEditor.replacingLines(in: $0, feedId: feedId, with: lines, file: path) }
            state.editor?.dirty = false
            state.message = S.linesSaved(path)
        } catch {
            state.message = S.linesNotSaved("\(error)")
        }
    }

    func acknowledge(_ id: Int64, by: String, note: String) {
        let S = Strings(state.language)
        do {
            let ok = try store.acknowledge(alertId: id, by: by, note: note, now: clock())
            state.message = ok ? S.acked(id) : S.notAcked(id)
        } catch {
            state.message = S.ackFailed("\(error)")
        }
        reload(now: clock())
    }

    /// The store checks the note and name (one line when one is missing or too long).
    func correctOccupancy(_ count: Int, by: String, note: String) {
        let S = Strings(state.language)
        do {
            let c = try store.correctOccupancy(count: count, by: by, note: note, now: clock())
            state.message = S.corrected(c.previous, c.count)
        } catch {
            state.message = S.correctFailed("\(error)")
        }
        reload(now: clock())
    }

    func cycleTheme() {
        guard !themeIds.isEmpty else { return }
        let i = themeIds.firstIndex(of: theme.id) ?? -1
        for k in 1...themeIds.count {
            let id = themeIds[(i + k) % themeIds.count]
            if let t = try? Theme.load(id, dirs: themeDirs) { theme = t; themeSpec = id; break }
        }
        state.message = Strings(state.language).themeSet(Strings(state.language).themeName(theme.id, fallback: theme.name))
    }

    /// Remembers theme and language for the next run; a failure is said in the footer.
    func saveSettings() {
        guard let path = settingsPath else { return }
        do { try ConsoleSettings(theme: themeSpec, language: state.language).save(path: path) } catch {
            let S = Strings(state.language)
            let why = (error as? ExportError).map { S.fileError($0.code) } ?? S.fileError(EIO)
            let shown = state.message.map { $0 + " · " } ?? ""
            state.message = shown + S.settingsNotSaved(path, why)
        }
    }

    /// Writes the History tables to `<prefix>-hourly.csv` and `<prefix>-daily.csv` (in a folder
    /// given as the path: `<folder>/gatewatch-<day>-…`), each 0600. One short line either way.
    func exportCSV(to typed: String) -> String {
        let S = Strings(state.language)
        guard let h = snapshot?.history else { return S.exportFailed(S.noData) }
        let expanded = (typed as NSString).expandingTildeInPath
        var isDir: ObjCBool = false
        let base = FileManager.default.fileExists(atPath: expanded, isDirectory: &isDir) && isDir.boolValue
            ? (expanded as NSString).appendingPathComponent("gatewatch-\(h.day.label)") : expanded
        for (suffix, text) in [("-hourly.csv", HistoryCSV.hourly(h)), ("-daily.csv", HistoryCSV.daily(h))] {
            do { try Export.writeFile(text, to: base + suffix, keepExistingMode: false) } catch let e as ExportError {
                return S.exportFileFailed(e.path, S.fileError(e.code))
            } catch {
                return S.exportFileFailed(base + suffix, S.fileError(EIO))
            }
        }
        return S.exported(base + "-{hourly,daily}.csv")
    }
}

/// CSV of the History screen's tables.
public enum HistoryCSV {
    public static func hourly(_ h: HistoryVM) -> String {
        var s = "date,hour,in,out,net\n"
        for i in 0..<24 { s += "\(h.day.label),\(String(format: "%02d", i)),\(h.hourlyIn[i]),\(h.hourlyOut[i]),\(h.hourlyIn[i] - h.hourlyOut[i])\n" }
        return s
    }
    public static func daily(_ h: HistoryVM) -> String {
        var s = "date,in,out,net\n"
        for d in h.daily.reversed() { s += "\(d.label),\(d.ins),\(d.outs),\(d.ins - d.outs)\n" }
        return s
    }
}

extension Theme {
    /// Used when themes/monochrome.theme is not installed: attributes only.
    static var fallbackMonochrome: Theme {
        var t = Theme(name: "Monochrome", id: "monochrome", styles: [.normal: ThemeStyle()])
        for r in [Role.selected, .tabActive, .status, .banner] { var s = ThemeStyle(); s.reverse = true; t.styles[r] = s }
        for r in [Role.title, .header, .accent, .warn] { var s = ThemeStyle(); s.bold = true; t.styles[r] = s }
        var c = ThemeStyle(); c.bold = true; c.reverse = true; t.styles[.crit] = c
        var i = ThemeStyle(); i.underline = true; t.styles[.input] = i
        return t
    }
}
