import Foundation
import GateCore
import GateStore

// What the screens draw from: GateStore's records, and where a screen needs more, a view
// model holding the record. Only ConsoleStore (same folder) reads the database, through GateStore.

/// The feed states of GateCore: one vocabulary for the runner, `status`, `check` and the console.
public typealias FeedDisplayState = FeedState

/// A feed as the screens show it: GateStore's row with its current health and last hour of
/// frame rates (reads like the row: `feed.name`).
@dynamicMemberLookup
public struct FeedVM: Equatable, Sendable {
    public var feed: FeedRow
    public var health: FeedHealth?
    /// Processed frames per second, one value a minute for the last hour (oldest first).
    public var fpsHistory: [Double]
    /// Where the detector looks, normalised (nil: the whole picture), from `detect_region` and the lines.
    public var regionRect: GateCore.Rect? = nil

    public subscript<T>(dynamicMember field: WritableKeyPath<FeedRow, T>) -> T {
        get { feed[keyPath: field] }
        set { feed[keyPath: field] = newValue }
    }

    /// What the operator should believe (the one freshness rule, `FeedState.observed`).
    public func displayState(now: Int64, pipeline: PipelineLiveness,
                             thresholds: SiteThresholds = SiteThresholds()) -> FeedDisplayState {
        FeedState.observed(stored: health?.state, lastFrameMs: health?.lastFrameMs, pipeline: pipeline,
                           nowMs: now, thresholds: thresholds)
    }
}

/// A gate as the screens show it: GateStore's row with today's counts (reads like the row: `gate.name`).
@dynamicMemberLookup
public struct GateVM: Equatable, Sendable {
    public var gate: GateRow
    public var todayIn: Int
    public var todayOut: Int
    /// Entries per minute for the last 60 minutes (oldest first).
    public var lastHourIn: [Int]
    /// Entries and exits per site-local hour today.
    public var hourlyIn: [Int]
    public var hourlyOut: [Int]
    public var feedIds: [String]

    public subscript<T>(dynamicMember field: WritableKeyPath<GateRow, T>) -> T {
        get { gate[keyPath: field] }
        set { gate[keyPath: field] = newValue }
    }
}

extension AlertRow {
    /// The message in the console's language (a URL in it without its password).
    public func message(in language: Language) -> String {
        Shown.masked(language == .vi ? (messageVi ?? message) : message)
    }
}

/// A test run as the Tests screen shows it: GateStore's row with its scenarios' results
/// and how many scenarios were planned (reads like the row: `run.suite`).
@dynamicMemberLookup
public struct TestRunVM: Equatable, Sendable {
    public var run: TestRunRow
    public var results: [TestResultRecord]
    /// How many scenarios the suite had (the run's stored provenance); nil for older runs.
    public var plannedScenarios: Int? = nil

    public subscript<T>(dynamicMember field: WritableKeyPath<TestRunRow, T>) -> T {
        get { run[keyPath: field] }
        set { run[keyPath: field] = newValue }
    }

    /// Closed before its last scenario (cancelled, Ctrl-C, killed): shown as stopped, not failed.
    /// Without a plan (older runs), a failed run with no failed scenario can only have been stopped.
    public var isStopped: Bool {
        guard run.verdict == .known(.fail) else { return false }
        if let n = plannedScenarios, n > 0 { return results.count < n }
        return run.failed == 0
    }
}

public struct DayCount: Equatable, Sendable {
    public var year, month, day: Int
    public var ins, outs: Int
    public var label: String { String(format: "%04d-%02d-%02d", year, month, day) }
}

public struct HistoryVM: Equatable, Sendable {
    public var day: DayCount
    public var hourlyIn: [Int]
    public var hourlyOut: [Int]
    /// The days up to and including `day`, newest first.
    public var daily: [DayCount]
}

/// Everything the screens show, read in one transaction.
public struct ConsoleSnapshot: Equatable, Sendable {
    public var site: SiteRow?
    public var todayIn = 0
    public var todayOut = 0
    /// People inside, as `status` and the runner count them (GateCore's `Occupancy` on the
    /// store's reading: the day's reset or a correction made at the desk, then the crossings since).
    public var peopleInside = 0
    /// The correction that figure counts from, when one was made since the day's reset.
    public var occupancyCorrection: OccupancyCorrection?
    public var gates: [GateVM] = []
    public var feeds: [FeedVM] = []
    public var alerts: [AlertRow] = []
    public var pipeline: PipelineStatus?
    /// Each webhook endpoint's backlog (read with the pipeline's heartbeat).
    public var webhooks: [WebhookBacklog] = []
    public var dbBytes: Int64 = 0
    public var testRuns: [TestRunVM] = []
    /// Latest crossings of the requested gate, newest first.
    public var crossings: [NamedCrossing] = []
    public var history: HistoryVM?
    /// Every counting line as the runner recorded it (the Gate screen draws them on the picture).
    public var lines: [LineRow] = []
    /// When a reload last changed the lines; the Gate screen's line counts start there (else at midnight).
    public var lastReloadMs: Int64?
    /// The requested gate's ins and outs per line since then.
    public var lineCounts: [String: LineTotals] = [:]
    public var lineCountsFromMs: Int64 = 0
    /// Not from the database: suite folders found on disk, the run this console started, and the
    /// report paths of runs it started (set by the controller after each load).
    public var suites: [SuiteInfo] = []
    /// The folders the suites were looked for in (said when none is found).
    public var suiteSearch: [String] = []
    /// From the database: the suite folders last given with `--suites` on this database.
    public var rememberedSuites: [String]?
    public var liveRun: LiveRunVM?
    public var reports: [Int64: String] = [:]
    /// The province hub's sites, most urgent first, while the province list shows (`console --hub`).
    public var province: [HubSiteSummary]?

    public init() {}

    public func feeds(ofGate id: String) -> [FeedVM] { feeds.filter { $0.gateId == id } }

    public var thresholds: SiteThresholds { site?.thresholds ?? SiteThresholds() }

    /// The runner's state by the one heartbeat rule (`PipelineLiveness`).
    public func liveness(now: Int64) -> PipelineLiveness {
        PipelineLiveness.decide(state: pipeline?.state, heartbeatMs: pipeline?.heartbeatMs, nowMs: now,
                                thresholds: thresholds)
    }

    /// The pipeline wrote a heartbeat within the site's heartbeat seconds.
    public func pipelineAlive(now: Int64) -> Bool { liveness(now: now) == .running }

    /// A feed's state as `status` and `check` show it from the same database.
    public func feedState(_ feed: FeedVM, now: Int64) -> FeedState {
        feed.displayState(now: now, pipeline: liveness(now: now), thresholds: thresholds)
    }

    /// The capacity gauge's level: the site's levels, never below its open capacity alert.
    public var capacityLevel: CapacityLevel {
        let open = alerts.filter { $0.kind == .known(.capacity) && $0.subjectId == "site" && $0.state != .known(.resolved) }
            .compactMap(\.severity.known).max()
        return CapacityLevel.shown(occupancy: peopleInside, capacity: site?.capacity ?? 0, thresholds: thresholds,
                                   openAlert: open)
    }
}

/// What the view model should load beyond the always-shown parts.
public struct LoadRequest: Equatable, Sendable {
    public var gateId: String?
    /// Days before today for the History screen (0 = today).
    public var historyDaysBack: Int
    public var crossingLimit: Int
    public init(gateId: String? = nil, historyDaysBack: Int = 0, crossingLimit: Int = 200) {
        self.gateId = gateId; self.historyDaysBack = historyDaysBack; self.crossingLimit = crossingLimit
    }
}

/// Why the console cannot show live data right now (shown as a banner while it retries).
public enum SourceProblem: Error, Equatable, Sendable {
    case missing(String)
    case locked(String)
    case corrupt(String)
    case notInitialised(String)
    /// This user may not read it (GateStore's line says what to do).
    case unreadable(String)
    /// The path is a directory.
    case notAFile(String)
    /// Written by a newer GateWatch.
    case newer(String)
    case other(String)
    /// The province hub (`console --hub`): asked, not answered yet (the site's name; nil: the province).
    case hubAsking(site: String?)
    /// The hub cannot be reached (its masked URL and why).
    case hubUnreachable(url: String, why: String)
    /// The hub answered something other than the data (its masked URL and its words).
    case hubAnswered(url: String, what: String)
}
