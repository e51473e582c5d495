import Foundation
import GateCore

// Plain values handed in and out of the store. No GRDB type appears here.


/// A feed's current health (written about once a second, read by consoles).
public struct FeedHealth: Equatable, Sendable, Codable {
    public var feedId: String
    public var updatedMs: Int64
    /// starting | live | reconnecting | offline | ended | stopped
    public var state: String
    public var captureFps: Double
    public var processFps: Double
    public var decodeMs: Double
    public var detectMs: Double
    public var trackMs: Double
    public var frames: Int
    public var dropped: Int
    public var queueDepth: Int
    public var lastFrameMs: Int64?
    public var reconnects: Int
    public var lastError: String?
    /// Detector runs a second over the last few seconds (the adaptive cadence's work).
    public var detectorRunsPerS: Double = 0
    public init(feedId: String, updatedMs: Int64, state: String, captureFps: Double = 0, processFps: Double = 0,
                decodeMs: Double = 0, detectMs: Double = 0, trackMs: Double = 0, frames: Int = 0, dropped: Int = 0,
                queueDepth: Int = 0, lastFrameMs: Int64? = nil, reconnects: Int = 0, lastError: String? = nil,
                detectorRunsPerS: Double = 0) {
        self.feedId = feedId; self.updatedMs = updatedMs; self.state = state; self.captureFps = captureFps
        self.processFps = processFps; self.decodeMs = decodeMs; self.detectMs = detectMs; self.trackMs = trackMs
        self.frames = frames; self.dropped = dropped; self.queueDepth = queueDepth; self.lastFrameMs = lastFrameMs
        self.reconnects = reconnects; self.lastError = lastError; self.detectorRunsPerS = detectorRunsPerS
    }
}

/// One minute of a feed's health history.
public struct FeedHealthMinute: Equatable, Sendable, Codable {
    public var feedId: String
    public var minuteMs: Int64
    public var captureFps: Double      // mean over the minute
    public var processFps: Double      // mean over the minute
    public var detectMs: Double        // mean over the minute
    public var dropped: Int            // running total at the minute's last sample
    public var reconnects: Int         // running total at the minute's last sample
    public var frames: Int             // running total at the minute's last sample
    public var samples: Int
    public var state: String           // at the minute's last sample
}

/// What `raiseOrUpdate` did.
public struct AlertChange: Equatable, Sendable {
    public var id: Int64
    /// True when a new alert row was opened (run `on_alert` then), false when an open one was updated.
    public var opened: Bool
    /// True when an update raised the severity of an existing alert.
    public var escalated: Bool
}

/// A stored alert, typed (see `StoredValue` for words a newer GateWatch may have written).
public struct AlertRow: Equatable, Sendable, Codable {
    public var id: Int64
    public var kind: StoredValue<AlertKind>
    /// The `alert.subject` column: "site", the gate id or the feed id.
    public var subjectId: String
    /// nil: a row from before subject types were stored whose id the migration found in
    /// neither the gate nor the feed table (the runner then falls back to its config).
    public var subjectType: StoredValue<AlertSubjectType>?
    public var severity: StoredValue<AlertSeverity>
    public var state: StoredValue<AlertState>
    public var message: String
    /// Vietnamese text of the message, when the rule gave one.
    public var messageVi: String?
    public var value: Double?
    public var raisedMs: Int64
    public var updatedMs: Int64
    public var occurrences: Int
    public var ackBy: String?
    public var ackMs: Int64?
    public var ackNote: String?
    public var resolvedMs: Int64?

    /// Who the alert is about, when its subject type is stored and known.
    public var subject: AlertSubject? { subjectType?.known.map { AlertSubject(type: $0, id: subjectId) } }

    // Exports keep the column names: `subject` is the id, `subjectType` its type.
    enum CodingKeys: String, CodingKey {
        case id, kind, subjectId = "subject", subjectType, severity, state, message, messageVi, value, raisedMs
        case updatedMs, occurrences, ackBy, ackMs, ackNote, resolvedMs
    }
}

public struct AlertFilter: Equatable, Sendable {
    /// Only alerts not yet resolved (open or acknowledged).
    public var unresolvedOnly: Bool
    public var states: [AlertState]?
    public var kinds: [AlertKind]?
    /// The `alert.subject` column (a gate or feed id, or "site").
    public var subjectId: String?
    /// Lowest severity to include (info < warning < critical).
    public var minSeverity: AlertSeverity?
    /// Case-insensitive substring of kind, subject or message.
    public var text: String?
    /// Only alerts updated at or after this time.
    public var sinceMs: Int64?
    /// Only alerts raised in `raisedFromMs..<raisedToMs` (either end open when nil).
    public var raisedFromMs: Int64? = nil
    public var raisedToMs: Int64? = nil
    public var limit: Int
    public init(unresolvedOnly: Bool = false, states: [AlertState]? = nil, kinds: [AlertKind]? = nil,
                subjectId: String? = nil, minSeverity: AlertSeverity? = nil, text: String? = nil,
                sinceMs: Int64? = nil, limit: Int = 200) {
        self.unresolvedOnly = unresolvedOnly; self.states = states; self.kinds = kinds; self.subjectId = subjectId
        self.minSeverity = minSeverity; self.text = text; self.sinceMs = sinceMs; self.limit = limit
    }
    public static let unresolved = AlertFilter(unresolvedOnly: true)
    public static let all = AlertFilter()
}

/// One scenario's outcome in an acceptance run.
public struct TestResultRecord: Equatable, Sendable, Codable {
    public var id: Int64?              // set when read back
    public var runId: Int64?           // set when read back
    public var scenario: String
    public var lineId: String?
    public var expectedIn: Int?
    public var expectedOut: Int?
    public var countedIn: Int?
    public var countedOut: Int?
    public var tolerance: Double?
    public var fps: Double?
    public var requiredFps: Double?
    public var verdict: StoredValue<TestVerdict>
    public var detail: String?
    public var frames: Int?
    public var seconds: Double?
    public var finishedMs: Int64?
    /// The acceptance report's entry for this scenario (JSON), for writing the report again.
    public var reportJSON: String?
    public init(scenario: String, lineId: String? = nil, expectedIn: Int? = nil, expectedOut: Int? = nil,
                countedIn: Int? = nil, countedOut: Int? = nil, tolerance: Double? = nil, fps: Double? = nil,
                requiredFps: Double? = nil, verdict: TestVerdict, detail: String? = nil, frames: Int? = nil,
                seconds: Double? = nil, finishedMs: Int64? = nil, reportJSON: String? = nil) {
        self.scenario = scenario; self.lineId = lineId; self.expectedIn = expectedIn; self.expectedOut = expectedOut
        self.countedIn = countedIn; self.countedOut = countedOut; self.tolerance = tolerance; self.fps = fps
        self.requiredFps = requiredFps; self.verdict = .known(verdict); self.detail = detail; self.frames = frames
        self.seconds = seconds; self.finishedMs = finishedMs; self.reportJSON = reportJSON
    }
}

public struct TestRunRow: Equatable, Sendable, Codable {
    public var id: Int64
    public var suite: String
    public var startedMs: Int64
    public var finishedMs: Int64?
    public var version: String
    public var machine: String
    public var passed: Int
    public var failed: Int
    public var verdict: StoredValue<TestRunVerdict>
    /// The acceptance report written for the run, when one was.
    public var reportPath: String? = nil
    /// Who ran it, with which build, model and machine (JSON), for the signed report.
    public var provenanceJSON: String? = nil
}

public struct PipelineStatus: Equatable, Sendable, Codable {
    public var pid: Int
    public var version: String
    public var startedMs: Int64
    public var heartbeatMs: Int64
    /// running | stopped (as last written; see `isAlive`)
    public var state: String
    /// Latency of the last batch write, ms.
    public var writeMs: Double
    /// Crossings waiting in the runner's write queue at its last heartbeat.
    public var writerPending: Int = 0
    /// Crossings the write queue dropped (full while the database failed) since the runner started.
    public var writerDropped: Int = 0
    /// Running and its heartbeat is younger than `staleAfterMs` (a killed
    /// pipeline stays `running` in the table, its heartbeat just gets old).
    public func isAlive(nowMs: Int64, staleAfterMs: Int64 = 5_000) -> Bool {
        state == "running" && nowMs - heartbeatMs <= staleAfterMs
    }
}

public struct RetentionResult: Equatable, Sendable {
    public var crossingsDeleted: Int
    public var healthMinutesDeleted: Int
    public var alertsDeleted: Int
    public var rollupsDeleted: Int
}

/// Write statistics of an `EventWriter`.
public struct WriterStats: Equatable, Sendable {
    public var eventsWritten: Int = 0
    public var batches: Int = 0
    public var pending: Int = 0
    public var failures: Int = 0
    /// Events thrown away because the queue overflowed while the database failed.
    public var dropped: Int = 0
    public var lastBatchSize: Int = 0
    public var lastWriteMs: Double = 0
    public var maxWriteMs: Double = 0
    public var totalWriteMs: Double = 0
    public var meanWriteMs: Double { batches == 0 ? 0 : totalWriteMs / Double(batches) }
    public var lastError: String?

    public init(pending: Int = 0, dropped: Int = 0, lastWriteMs: Double = 0) {
        self.pending = pending; self.dropped = dropped; self.lastWriteMs = lastWriteMs
    }
}
