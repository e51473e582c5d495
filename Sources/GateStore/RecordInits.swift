import Foundation
import GateCore

// Memberwise initialisers for the records a reader outside GateStore builds itself: the
// console's hub source makes them from the province hub's answers.

extension SiteRow {
    public init(name: String, capacity: Int, timeZone: String, updatedMs: Int64, thresholds: SiteThresholds = SiteThresholds()) {
        self.init(name: name, capacity: capacity, timeZone: timeZone, openMinute: nil, closeMinute: nil, configPath: nil,
                  updatedMs: updatedMs, thresholds: thresholds)
    }
}

extension FeedRow {
    public init(id: String, gateId: String, name: String) {
        self.init(id: id, gateId: gateId, name: name, source: "", expectedFps: nil, detector: "")
    }
}

extension PipelineStatus {
    /// A runner seen from afar: its last sign of life, nothing of its queues.
    public init(heartbeatMs: Int64, running: Bool) {
        self.init(pid: 0, version: "", startedMs: heartbeatMs, heartbeatMs: heartbeatMs, state: running ? "running" : "stopped",
                  writeMs: 0)
    }
}

extension AlertRow {
    public init(id: Int64, kind: String, subjectId: String, severity: String, state: String, message: String, messageVi: String?,
                raisedMs: Int64, updatedMs: Int64, resolvedMs: Int64?) {
        self.init(id: id, kind: StoredValue(rawValue: kind), subjectId: subjectId, subjectType: nil,
                  severity: StoredValue(rawValue: severity), state: StoredValue(rawValue: state), message: message,
                  messageVi: messageVi, value: nil, raisedMs: raisedMs, updatedMs: updatedMs, occurrences: 1, ackBy: nil,
                  ackMs: nil, ackNote: nil, resolvedMs: resolvedMs)
    }
}
