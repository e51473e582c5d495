import Foundation
import GateCore

// Plain structs the screens draw from. Only ConsoleStore (same folder) reads the database, through GateStore.

public struct SiteVM: Equatable, Sendable {
    public var name: String
    public var capacity: Int
    public var timeZone: String
    public var openMinute: Int?
    public var closeMinute: Int?
    /// Capacity levels and freshness as the runner decides them (stored with the site).
    public var thresholds: SiteThresholds = SiteThresholds()
}

/// The feed states of GateCore: one vocabulary for the runner, `status`, `check` and the console.
public typealias FeedDisplayState = FeedState

public struct FeedHealthVM: Equatable, Sendable {
    public var updatedMs: Int64
    public var state: String
    public var captureFps, processFps, decodeMs, detectMs, trackMs: Double
    public var frames, dropped, queueDepth, reconnects: Int
    public var lastFrameMs: Int64?
    public var lastError: String?
}

public struct FeedVM: Equatable, Sendable {
    public var id: String
    public var gateId: String
    public var name: String
    public var source: String
    public var expectedFps: Double?
    public var detector: String
    public var health: FeedHealthVM?
    /// Processed frames per second, one value a minute for the last hour (oldest first).
    public var fpsHistory: [Double]

    /// What the operator should believe (the one freshness rule, `FeedState.observed`).
    public func displayState(now: Int64, pipeline: PipelineLiveness,
                             thresholds: SiteThresholds = SiteThresholds()) -> FeedDisplayState {
        FeedState.observed(stored: health?.state, lastFrameMs: health?.lastFrameMs, pipeline: pipeline,
                           nowMs: now, thresholds: thresholds)
    }
}

public struct GateVM: Equatable, Sendable {
    public var id: String
    public var name: String
    public var todayIn: Int
    public var todayOut: Int
    /// Entries per minute for the last 60 minutes (oldest first).
    public var lastHourIn: [Int]
    /// Entries and exits per site-local hour today.
    public var hourlyIn: [Int]
    public var hourlyOut: [Int]
    public var feedIds: [String]
}

public struct CrossingVM: Equatable, Sendable {
    public var tsMs: Int64
    public var feedId: String
    public var lineId: String
    public var lineName: String
    public var direction: Int
    public var trackId: Int
    public var confidence: Double
}

public struct AlertVM: Equatable, Sendable {
    public var id: Int64
    public var kind, subject, severity, state, message: String
    /// The rule's Vietnamese text, when it gave one.
    public var messageVi: String? = nil
    public var value: Double?
    public var raisedMs, updatedMs: Int64
    public var occurrences: Int
    public var ackBy: String?
    public var ackMs: Int64?
    public var ackNote: String?
    public var resolvedMs: Int64?

    /// The message in the console's language (a URL in it without its password).
    public func message(in language: Language) -> String {
        Shown.masked(language == .vi ? (messageVi ?? message) : message)
    }
}

public struct PipelineVM: Equatable, Sendable {
    public var pid: Int
    public var version: String
    public var startedMs, heartbeatMs: Int64
    public var state: String
    public var writeMs: Double
}

public struct TestResultVM: Equatable, Sendable {
    public var scenario: String
    public var lineId: String?
    public var expectedIn, expectedOut, countedIn, countedOut: Int?
    public var tolerance, fps, requiredFps: Double?
    public var verdict: String
    public var detail: String?
}

public struct TestRunVM: Equatable, Sendable {
    public var id: Int64
    public var suite: String
    public var startedMs: Int64
    public var finishedMs: Int64?
    public var version, machine: String
    public var passed, failed: Int
    public var verdict: String
    public var results: [TestResultVM]
    /// Where `gatewatch test --report` wrote this run's report (any console, any machine user).
    public var reportPath: String? = nil
    /// How many scenarios the suite had (the run's stored provenance); nil for older runs.
    public var plannedScenarios: Int? = nil

    /// Closed before its last scenario (cancelled, Ctrl-C, killed): shown as stopped, not failed.
    /// Without a plan (older runs), a failed run with no failed scenario can only have been stopped.
    public var isStopped: Bool {
        guard verdict == "fail" else { return false }
        if let n = plannedScenarios, n > 0 { return results.count < n }
        return failed == 0
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
    public var site: SiteVM?
    public var todayIn = 0
    public var todayOut = 0
    public var gates: [GateVM] = []
    public var feeds: [FeedVM] = []
    public var alerts: [AlertVM] = []
    public var pipeline: PipelineVM?
    public var dbBytes: Int64 = 0
    public var testRuns: [TestRunVM] = []
    /// Latest crossings of the requested gate, newest first.
    public var crossings: [CrossingVM] = []
    public var history: HistoryVM?
    /// Not from the database: suite folders found on disk, the run this console started, and the
    /// report paths of runs it started (set by the controller after each load).
    public var suites: [SuiteInfo] = []
    /// The folders the suites were looked for in (said when none is found).
    public var suiteSearch: [String] = []
    /// From the database: the suite folders last given with `--suites` on this database.
    public var rememberedSuites: [String]?
    public var liveRun: LiveRunVM?
    public var reports: [Int64: String] = [:]

    public init() {}

    public var occupancy: Int { max(0, todayIn - todayOut) }
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
        let open = alerts.filter { $0.kind == AlertKind.capacity.rawValue && $0.subject == "site" && $0.state != "resolved" }
            .compactMap { AlertSeverity(rawValue: $0.severity) }.max()
        return CapacityLevel.shown(occupancy: occupancy, capacity: site?.capacity ?? 0, thresholds: thresholds,
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
}
