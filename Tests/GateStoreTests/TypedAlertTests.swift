import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// Alerts are stored with their typed kind, subject (site / gate / feed), severity and state
/// (migration "v4-typed-alerts"), so nothing is guessed back from the config.
final class TypedAlertTests: XCTestCase {
    /// Every kind about every subject type comes back as written, with a gate and a feed
    /// sharing one id kept apart (two alerts, not one updated twice).
    func testEveryKindAndSubjectTypeRoundTrips() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        let q = StoreQueries(db)
        let subjects: [AlertSubject] = [.site, .gate("x1"), .feed("x1")]
        var ids: Set<Int64> = []
        for (i, kind) in AlertKind.allCases.enumerated() {
            for subject in subjects {
                let severity = AlertSeverity.allCases[i % AlertSeverity.allCases.count]
                let change = try db.raiseOrUpdate(kind: kind, subject: subject, severity: severity, message: "\(kind) \(subject)",
                                                  messageVi: "vi", value: Double(i), at: nov23UTC + Int64(i))
                XCTAssertTrue(change.opened, "\(kind) about \(subject) reused alert #\(change.id)")
                ids.insert(change.id)
                let row = try XCTUnwrap(try q.alert(id: change.id))
                XCTAssertEqual(row.kind, .known(kind))
                XCTAssertEqual(row.subject, subject)
                XCTAssertEqual(row.subjectType, .known(subject.type))
                XCTAssertEqual(row.severity, .known(severity))
                XCTAssertEqual(row.state, .known(.open))
            }
        }
        XCTAssertEqual(ids.count, AlertKind.allCases.count * subjects.count)
        // Acknowledged and resolved come back typed too, each for its own subject.
        let feedAlert = try XCTUnwrap(try q.alerts(AlertFilter(kinds: [.offline])).first { $0.subject == .feed("x1") })
        XCTAssertTrue(try db.acknowledge(id: feedAlert.id, by: "Lan", at: nov23UTC + 100))
        XCTAssertEqual(try db.resolve(kind: .offline, subject: .gate("x1"), at: nov23UTC + 200).map { _ in true }, true)
        let offline = try q.alerts(AlertFilter(kinds: [.offline]))
        XCTAssertEqual(offline.first { $0.subject == .feed("x1") }?.state, .known(.acknowledged))
        XCTAssertEqual(offline.first { $0.subject == .gate("x1") }?.state, .known(.resolved))
        XCTAssertEqual(offline.first { $0.subject == .site }?.state, .known(.open))
        // Exports keep the stored words: `subject` is the id, `subjectType` its type.
        let json = Export.encode([try XCTUnwrap(offline.first { $0.subject == .feed("x1") })])
        XCTAssertTrue(json.contains(#""kind":"offline""#) && json.contains(#""subject":"x1""#)
                      && json.contains(#""subjectType":"feed""#) && json.contains(#""state":"acknowledged""#), json)
    }

    /// A database written before subject types were stored: the migration fills each row's type
    /// from its kind, else from the gate and feed tables, and leaves an ambiguous id NULL.
    /// Words this GateWatch does not know (a newer one wrote them) read back as unknown, not as errors.
    func testOldDatabaseGetsSubjectTypesBackfilled() throws {
        let dir = TempDir()
        let path = dir.path("old.sqlite")
        try makeOlderDatabase(at: path, upTo: "console-settings") { db in
            try db.execute(sql: """
                INSERT INTO gate (id, name, position) VALUES ('g1', 'G1', 0), ('g2', 'G2', 1);
                INSERT INTO feed (id, gate_id, name, source, detector) VALUES
                    ('g1', 'g1', 'same id as its gate', 'x', 'motion'), ('cam2', 'g2', 'Cam 2', 'x', 'motion');
                """)
            let rows: [(String, String, String)] = [
                ("capacity", "site", "open"), ("offline", "g1", "open"), ("disagreement", "g1", "acknowledged"),
                ("covered", "removed-cam", "open"), ("zone_full", "cam2", "open"), ("zone_full", "g2", "open"),
                ("zone_full", "g1", "snoozed"), ("zone_full", "ghost", "open"), ("zone_full", "site", "resolved"),
            ]
            for (kind, subject, state) in rows {
                try db.execute(sql: """
                    INSERT INTO alert (kind, subject, severity, state, message, raised_ms, updated_ms)
                    VALUES (?, ?, 'warning', ?, 'old', 0, 0)
                    """, arguments: [kind, subject, state])
            }
        }
        let db = try GateDatabase.openWriter(path: path)
        defer { try? db.close() }
        let stored = try StoreQueries(db).alerts()
        func type(_ kind: String, _ subject: String) -> String? {
            stored.first { $0.kind.rawValue == kind && $0.subjectId == subject }?.subjectType?.rawValue
        }
        XCTAssertEqual(stored.count, 9)
        XCTAssertEqual(type("capacity", "site"), "site")
        XCTAssertEqual(type("offline", "g1"), "feed", "an offline alert is about a feed, though a gate has its id")
        XCTAssertEqual(type("disagreement", "g1"), "gate")
        XCTAssertEqual(type("covered", "removed-cam"), "feed", "a feed no longer in the tables, by its kind")
        XCTAssertEqual(type("zone_full", "cam2"), "feed")
        XCTAssertEqual(type("zone_full", "g2"), "gate")
        XCTAssertEqual(type("zone_full", "site"), "site")
        XCTAssertNil(type("zone_full", "g1"), "in both tables: not guessed")
        XCTAssertNil(type("zone_full", "ghost"), "in neither table: not guessed")
        let newer = try XCTUnwrap(stored.first { $0.subjectId == "g1" && $0.kind == .unknown("zone_full") })
        XCTAssertEqual(newer.state, .unknown("snoozed"))
        XCTAssertNil(newer.subject)
        XCTAssertEqual(stored.first { $0.kind == .known(.offline) }?.subject, .feed("g1"))
    }

    /// A row whose type could not be filled is the same alert for the writer, which then stores its type.
    func testWriterFillsTheTypeOfAnUntypedOpenAlert() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        try db.pool!.write { db in
            try db.execute(sql: """
                INSERT INTO alert (kind, subject, severity, state, message, raised_ms, updated_ms)
                VALUES ('offline', 'cam9', 'warning', 'open', 'old', 0, 0)
                """)
        }
        let old = try XCTUnwrap(try StoreQueries(db).alerts().first)
        XCTAssertNil(old.subjectType)
        let change = try db.raiseOrUpdate(kind: .offline, subject: .feed("cam9"), severity: .critical, message: "m", at: 10)
        XCTAssertEqual(change, AlertChange(id: old.id, opened: false, escalated: true))
        XCTAssertEqual(try StoreQueries(db).alert(id: old.id)?.subject, .feed("cam9"))
        XCTAssertEqual(try db.resolve(kind: .offline, subject: .feed("cam9"), at: 20), old.id)
    }
}
