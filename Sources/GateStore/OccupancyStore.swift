import Foundation
import GRDB
import GateCore

/// The site's occupancy as the record holds it: where it counts from (the day's reset or the
/// last correction since) and the crossings per gate and feed since then. `occupancy` applies
/// GateCore's one rule to it, the same rule the runner keeps in memory.
public struct OccupancyReading: Equatable, Sendable {
    public var anchor: OccupancyAnchor
    public var counts: GateFeedCounts
    /// When the current period began (the day's reset).
    public var periodStartMs: Int64
    public var reset: OccupancyReset
    public func occupancy(capacity: Int = 0) -> Occupancy {
        Occupancy(capacity: capacity, anchor: anchor, counts: counts)
    }
}

extension StoreQueries {
    /// The occupancy reading at `now` (one read transaction).
    public func occupancy(now nowMs: Int64 = currentTimeMs()) throws -> OccupancyReading {
        try database.read("read the occupancy") { db in try Self.occupancy(db, now: nowMs) }
    }

    /// The corrections made at the desk, newest first (the audit trail).
    public func occupancyCorrections(limit: Int = 50) throws -> [OccupancyCorrection] {
        try database.read("read occupancy corrections") { db in
            guard try db.tableExists("occupancy_correction") else { return [] }
            return try OccupancyCorrectionRecord.order(Column("id").desc).limit(max(0, limit)).fetchAll(db).map(\.value)
        }
    }

    /// Inside a caller's read: the reset time and zone from the site row, the last correction
    /// of the period, and the crossings since the anchor, from the per-minute rollup for whole
    /// minutes and from the crossings themselves for the part-minute after a correction.
    static func occupancy(_ db: Database, now nowMs: Int64) throws -> OccupancyReading {
        let zone = try timeZone(db, override: nil)
        let reset = try storedOccupancyReset(db)
        let periodStart = reset.periodStart(nowMs: nowMs, timeZone: zone)
        var correction: OccupancyCorrection?
        if try db.tableExists("occupancy_correction") {
            correction = try OccupancyCorrectionRecord
                .filter(Column("at_ms") >= periodStart && Column("at_ms") <= nowMs)
                .order(Column("at_ms").desc, Column("id").desc).fetchOne(db)?.value
        }
        let anchor = OccupancyAnchor.after(reset: periodStart, correction: correction)
        let counts = try crossingCounts(db, from: anchor.atMs)
        return OccupancyReading(anchor: anchor, counts: counts, periodStartMs: periodStart, reset: reset)
    }

    /// Crossings from `from` on, per gate and feed. Not capped at now: a file counted faster
    /// than real time stamps its crossings ahead of the clock, and they count all the same.
    static func crossingCounts(_ db: Database, from: Int64) throws -> GateFeedCounts {
        let firstWholeMinute = (from + 59_999) / 60_000 * 60_000
        var counts = GateFeedCounts()
        let minuteRows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT m.gate_id, COALESCE(l.feed_id, m.line_id) AS feed, SUM(m.ins), SUM(m.outs)
            FROM crossing_minute m LEFT JOIN line l ON l.id = m.line_id
            WHERE m.minute_ms >= ? GROUP BY m.gate_id, feed
            """), arguments: [firstWholeMinute])
        for r in minuteRows { counts.add(gate: r[0], feed: r[1], ins: r[2], outs: r[3]) }
        if firstWholeMinute > from {
            let partRows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT gate_id, feed_id, SUM(direction = 1), SUM(direction = -1) FROM crossing
                WHERE ts_ms >= ? AND ts_ms < ? GROUP BY gate_id, feed_id
                """), arguments: [from, firstWholeMinute])
            for r in partRows { counts.add(gate: r[0], feed: r[1], ins: r[2], outs: r[3]) }
        }
        return counts
    }

    static func storedOccupancyReset(_ db: Database) throws -> OccupancyReset {
        guard try db.columns(in: "site").contains(where: { $0.name == "occupancy_reset_minute" }) else { return .midnight }
        let m = try Int.fetchOne(db, sql: "SELECT occupancy_reset_minute FROM site WHERE id = 1")
        guard let m, (0..<1440).contains(m) else { return .midnight }
        return OccupancyReset(minuteOfDay: m)
    }

    /// The newest correction's id (0 without any): the runner's cheap check for a new one.
    public func lastOccupancyCorrectionId() throws -> Int64 {
        try database.read("check for occupancy corrections") { db in
            guard try db.tableExists("occupancy_correction") else { return 0 }
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM occupancy_correction")) ?? 0
        }
    }
}

extension GateDatabase {
    /// Sets the head count by hand, for audit with who and why; the occupancy counts on from
    /// it until the next correction or the day's reset. Returns the stored correction.
    @discardableResult
    public func correctOccupancy(count: Int, by who: String, note: String,
                                 at nowMs: Int64 = currentTimeMs()) throws -> OccupancyCorrection {
        let c = try Self.checkedCorrection(count: count, by: who, note: note)
        return try write("correct the occupancy") { db in try Self.insertCorrection(c, at: nowMs, db: db) }
    }

    /// The console's correction (a short write, like acknowledging: a read-only user is told so).
    @discardableResult
    public static func correctOccupancy(path: String, count: Int, by who: String, note: String,
                                        at nowMs: Int64 = currentTimeMs()) throws -> OccupancyCorrection {
        let c = try checkedCorrection(count: count, by: who, note: note)
        return try shortWrite(path: path, action: "correcting the occupancy") { db in try insertCorrection(c, at: nowMs, db: db) }
    }

    /// The head count, name and note trimmed and checked, with one line for what is wrong.
    static func checkedCorrection(count: Int, by who: String, note: String) throws -> (count: Int, by: String, note: String) {
        let name = who.trimmingCharacters(in: .whitespacesAndNewlines)
        let why = note.trimmingCharacters(in: .whitespacesAndNewlines)
        let most = Int(Limits.capacity.max)
        guard (0...most).contains(count) else {
            throw StoreError.invalidArgument(what: "head count", detail: "\(count) is out of range; give a whole number from 0 to \(most)")
        }
        guard !name.isEmpty else {
            throw StoreError.invalidArgument(what: "name", detail: "say who sets the head count (--by NAME)")
        }
        guard !why.isEmpty else {
            throw StoreError.invalidArgument(what: "note", detail: "say how the head count was taken (--note TEXT)")
        }
        guard name.count <= OccupancyCorrection.maxNameLength, why.count <= OccupancyCorrection.maxNoteLength else {
            throw StoreError.invalidArgument(what: "name or note", detail: "too long: at most \(OccupancyCorrection.maxNameLength) characters for the name, \(OccupancyCorrection.maxNoteLength) for the note")
        }
        return (count, name, why)
    }

    /// What the counter said just before, then the correction, in the caller's write.
    static func insertCorrection(_ c: (count: Int, by: String, note: String), at nowMs: Int64,
                                 db: Database) throws -> OccupancyCorrection {
        let previous = try StoreQueries.occupancy(db, now: nowMs).occupancy().count
        var record = OccupancyCorrectionRecord(OccupancyCorrection(id: 0, atMs: nowMs, count: c.count, previous: previous,
                                                                   by: c.by, note: c.note))
        try record.insert(db)
        return record.value
    }
}

/// The `occupancy_correction` row.
struct OccupancyCorrectionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "occupancy_correction"
    var id: Int64?
    var atMs: Int64
    var count: Int
    var previous: Int
    var operatorName: String
    var note: String

    enum CodingKeys: String, CodingKey {
        case id, atMs = "at_ms", count, previous, operatorName = "operator", note
    }

    init(_ c: OccupancyCorrection) {
        id = c.id > 0 ? c.id : nil; atMs = c.atMs; count = c.count; previous = c.previous; operatorName = c.by; note = c.note
    }
    var value: OccupancyCorrection {
        OccupancyCorrection(id: id ?? 0, atMs: atMs, count: count, previous: previous, by: operatorName, note: note)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
