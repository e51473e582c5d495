import Foundation
import GateCore

/// An acceptance suite folder the Tests screen offers to run.
public struct SuiteInfo: Equatable, Sendable {
    /// Absolute, standardised path (what `gatewatch test` stores as the run's suite).
    public var path: String
    /// Scenario files (*.yaml, *.yml) directly in the folder; the runner runs exactly these.
    public var scenarios: Int
    /// Why it cannot run, shown instead of running it.
    public var problem: SuiteProblem?

    public init(path: String, scenarios: Int, problem: SuiteProblem? = nil) {
        self.path = path; self.scenarios = scenarios; self.problem = problem
    }
    public var name: String { (path as NSString).lastPathComponent }
}

public enum SuiteProblem: Equatable, Sendable {
    case missing, unreadable, empty
}

/// Finds suite folders: the ones given with `--suites`, else the standard places.
public enum SuiteCatalog {
    /// samples/acceptance under the current directory, $XDG_DATA_HOME/gatewatch/acceptance
    /// (default ~/.local/share) and /usr/local/share/gatewatch/acceptance, those that exist.
    public static func defaultDirectories(cwd: String = FileManager.default.currentDirectoryPath,
                                          env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        candidateDirectories(cwd: cwd, env: env).filter(isDirectory)
    }

    /// The standard places, whether they exist or not (the Tests screen says where it looked).
    public static func candidateDirectories(cwd: String = FileManager.default.currentDirectoryPath,
                                            env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs = [(cwd as NSString).appendingPathComponent("samples/acceptance")]
        if let x = env["XDG_DATA_HOME"], !x.isEmpty {
            dirs.append((x as NSString).appendingPathComponent("gatewatch/acceptance"))
        } else if let h = env["HOME"], !h.isEmpty {
            dirs.append((h as NSString).appendingPathComponent(".local/share/gatewatch/acceptance"))
        }
        dirs.append("/usr/local/share/gatewatch/acceptance")
        return dirs
    }

    /// A folder as `discover` lists it: absolute and standardised.
    public static func absolute(_ d: String, cwd: String = FileManager.default.currentDirectoryPath) -> String {
        ((d.hasPrefix("/") ? d : (cwd as NSString).appendingPathComponent(d)) as NSString).standardizingPath
    }

    static func isDirectory(_ p: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &d) && d.boolValue
    }

    static func scenarioFiles(_ dir: String) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    /// One entry per folder holding scenarios; a folder of suite folders lists each of them.
    /// A folder given explicitly that holds none is still listed, with the reason.
    public static func discover(_ dirs: [String], cwd: String = FileManager.default.currentDirectoryPath) -> [SuiteInfo] {
        var out: [SuiteInfo] = []
        var seen = Set<String>()
        func add(_ s: SuiteInfo) { if seen.insert(s.path).inserted { out.append(s) } }
        for d in dirs {
            let abs = absolute(d, cwd: cwd)
            guard isDirectory(abs) else {
                add(SuiteInfo(path: abs, scenarios: 0, problem: .missing))
                continue
            }
            guard let files = scenarioFiles(abs) else {
                add(SuiteInfo(path: abs, scenarios: 0, problem: .unreadable))
                continue
            }
            if !files.isEmpty { add(SuiteInfo(path: abs, scenarios: files.count)); continue }
            let subs = ((try? FileManager.default.contentsOfDirectory(atPath: abs)) ?? []).sorted()
                .map { (abs as NSString).appendingPathComponent($0) }
                .filter { isDirectory($0) && !(scenarioFiles($0) ?? []).isEmpty }
            if subs.isEmpty {
                add(SuiteInfo(path: abs, scenarios: 0, problem: .empty))
            }
            for s in subs { add(SuiteInfo(path: s, scenarios: scenarioFiles(s)?.count ?? 0)) }
        }
        return out
    }
}

/// Why a suite run from the console failed outside of its scenarios.
public enum RunFailure: Equatable, Sendable {
    /// The log next to the database could not be created (strerror text).
    case logNotCreated(String)
    /// posix_spawn failed: the executable and strerror text.
    case cannotStart(String, String)
    /// The child ended without closing its run: exit status, or the signal that killed it.
    case exited(Int32)
    case killed(Int32)
}

/// A suite run this console started (one at a time), as the screens see it.
public struct LiveRunVM: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        /// The child runs; `runId` once its test_run row appeared.
        case running
        /// The child ended and its run row is closed (verdict in the row).
        case finished
        /// Cancelled with `x`.
        case cancelled
        /// Did not start, or ended without closing its run (the log path is shown with it).
        case failed(RunFailure)
    }
    public var suite: String
    public var total: Int
    public var startedMs: Int64
    public var logPath: String
    public var reportPath: String
    /// Where the child writes its run's id (`gatewatch test --run-id-file`).
    public var runIdPath: String = ""
    public var runId: Int64?
    public var phase: Phase
    public var pid: Int32

    public init(suite: String, total: Int, startedMs: Int64, logPath: String, reportPath: String, runId: Int64? = nil,
                phase: Phase = .running, pid: Int32 = 0) {
        self.suite = suite; self.total = total; self.startedMs = startedMs; self.logPath = logPath
        self.reportPath = reportPath; self.runId = runId; self.phase = phase; self.pid = pid
    }

    public var isRunning: Bool { phase == .running }
}

/// Starts `gatewatch test SUITE --db DB --report …` as a child process with its output in a
/// log file (the terminal belongs to ncurses), and reaps it without blocking the UI.
public final class SuiteLauncher {
    public let executable: String
    public let dbPath: String
    public private(set) var live: LiveRunVM?
    /// Report paths of runs started by this console, by run id (shown in a run's detail).
    public private(set) var reports: [Int64: String] = [:]
    private var exitStatus: Int32?
    /// The child has ended and been reaped.
    public var childEnded: Bool { exitStatus != nil }

    public init(executable: String = SuiteLauncher.selfExecutable(), dbPath: String) {
        self.executable = executable; self.dbPath = dbPath
    }

    /// This binary: the console runs `gatewatch test` from the same build it is.
    public static func selfExecutable() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// kiem-thu-20261123-173005: the stem of the report and the log, next to the database.
    /// Two runs started in the same second (two consoles) get kiem-thu-…-2 and so on: see `createLog`.
    static func stem(_ ms: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "kiem-thu-" + f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Starts the suite. Returns nil when started (or failed to start: see `live`), else the
    /// one line to show (a run is already going, or the folder cannot run).
    public func start(_ suite: SuiteInfo, now: Int64, strings S: Strings = Strings(.en)) -> String? {
        if let l = live, l.isRunning { return S.alreadyRunning(l.suite) }
        if let p = suite.problem { return "\(suite.path): \(S.suiteProblem(p))" }
        let absDb = ((dbPath.hasPrefix("/") ? dbPath : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dbPath)) as NSString).standardizingPath
        let dir = (absDb as NSString).deletingLastPathComponent
        exitStatus = nil
        let (fd, stem) = Self.createLog(dir: dir, stem: Self.stem(now))
        let base = (dir as NSString).appendingPathComponent(stem)
        var run = LiveRunVM(suite: suite.path, total: suite.scenarios, startedMs: now, logPath: base + ".log", reportPath: base + ".md")
        run.runIdPath = base + ".runid"
        guard fd >= 0 else {
            run.phase = .failed(.logNotCreated(String(cString: strerror(errno))))
            live = run
            return nil
        }
        defer { close(fd) }
        unlink(run.runIdPath)
        let args = [executable, "test", suite.path, "--db", absDb, "--report", run.reportPath, "--run-id-file", run.runIdPath]
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        var attr: posix_spawnattr_t = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Its own process group: Ctrl-C at the terminal is the console's to handle, not the run's.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        var cargs = args.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, &cargs, environ)
        if rc != 0 {
            let why = "cannot start \(executable): \(String(cString: strerror(rc)))\n"
            _ = why.withCString { write(fd, $0, strlen($0)) }
            run.phase = .failed(.cannotStart(executable, String(cString: strerror(rc))))
        } else {
            run.pid = pid
        }
        live = run
        return nil
    }

    /// Creates the log with O_EXCL, so a name another console took this second is never shared:
    /// STEM.log, else STEM-2.log, STEM-3.log…; returns the descriptor (-1: errno says why) and the stem used.
    static func createLog(dir: String, stem: String) -> (Int32, String) {
        var n = 1
        while true {
            let s = n == 1 ? stem : "\(stem)-\(n)"
            let fd = open((dir as NSString).appendingPathComponent(s + ".log"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST || n >= 99 { return (fd, s) }
            n += 1
        }
    }

    /// The run's id as the child wrote it (whole: it writes a temporary file and renames it).
    static func readRunId(_ path: String) -> Int64? {
        guard !path.isEmpty, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Takes the run id once the child has written it. Returns true when it just became known.
    @discardableResult
    func learnRunId() -> Bool {
        guard var l = live, l.runId == nil, let id = Self.readRunId(l.runIdPath) else { return false }
        l.runId = id
        reports[id] = l.reportPath
        live = l
        unlink(l.runIdPath)
        return true
    }

    /// Reaps the child if it ended (non-blocking), and learns its run id. Returns true when
    /// either happened (the screen should reload).
    public func poll() -> Bool {
        let learned = learnRunId()
        guard let l = live, l.isRunning || l.phase == .cancelled, l.pid > 0, exitStatus == nil else { return learned }
        var status: Int32 = 0
        let r = waitpid(l.pid, &status, WNOHANG)
        guard r == l.pid || (r < 0 && errno == ECHILD) else { return learned }
        exitStatus = r < 0 ? -1 : status
        learnRunId()   // it may have written it just before ending
        return true
    }

    /// Settles the phase once the child has ended, from its own run's row (by the id it wrote).
    public func update(runs: [TestRunVM]) {
        learnRunId()
        guard var l = live else { return }
        if l.isRunning, let status = exitStatus {
            let row = l.runId.flatMap { id in runs.first { $0.id == id } }
            if let row, row.verdict != .known(.running) {
                l.phase = .finished
            } else {
                l.phase = .failed(status & 0x7f == 0 || status == -1 ? .exited(status == -1 ? -1 : (status >> 8) & 0xff) : .killed(status & 0x7f))
            }
        }
        live = l
    }

    /// SIGTERM to the child; it closes its own run (stopped, with the results so far).
    @discardableResult
    public func cancel() -> Bool {
        guard var l = live, l.isRunning, l.pid > 0 else { return false }
        kill(l.pid, SIGTERM)
        l.phase = .cancelled
        live = l
        return true
    }

    /// Waits (bounded) for a cancelled child to close its run and end. Returns true when it did
    /// not end in time and was killed: then, and only then, the console must close the run itself.
    @discardableResult
    public func reapAfterCancel(timeout: Double = 5) -> Bool {
        guard let l = live, l.pid > 0, exitStatus == nil else { return false }
        defer { learnRunId() }
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            var status: Int32 = 0
            let r = waitpid(l.pid, &status, WNOHANG)
            if r == l.pid || (r < 0 && errno == ECHILD) { exitStatus = status; return false }
            usleep(20_000)
        }
        kill(l.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(l.pid, &status, 0)
        exitStatus = status
        return true
    }

    /// On quit: a run still going is stopped (it would otherwise run on unseen). True when it had to be killed.
    @discardableResult
    public func stopOnExit() -> Bool {
        cancel() ? reapAfterCancel() : false
    }
}
