import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// A camera password from the config never reaches the database file, its WAL or its SHM.
final class SecretTests: XCTestCase {
    static let password = "Secret123"
    static let url = "rtsp://admin:Secret123@10.0.0.21/stream1"

    private func assertNoPassword(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for p in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: p) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
            XCTAssertNil(bytes.range(of: Data(Self.password.utf8)), "\(p) holds the camera password", file: file, line: line)
        }
    }

    private func config() -> SiteConfig {
        var c = demoConfig()
        c.gates[0].feeds[0].source = Self.url
        return c
    }

    func testSiteIsStoredWithMaskedSource() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        let db = try GateDatabase.openWriter(path: path)
        try db.syncSite(config(), configPath: nil, at: nov23UTC)
        try db.insertCrossings([event(nov23UTC)])
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: nov23UTC, state: "offline",
                                           lastError: "cannot open \(Self.url)"))
        XCTAssertEqual(try StoreQueries(db).feeds().first?.source, "rtsp://admin:***@10.0.0.21/stream1")
        XCTAssertEqual(try StoreQueries(db).feedHealth().first?.lastError, "cannot open rtsp://admin:***@10.0.0.21/stream1")
        try assertNoPassword(path)          // while running: file, -wal, -shm
        try db.close()
        try assertNoPassword(path)          // after a clean stop
    }

    /// A database written by an older version (password in clear) is masked when the
    /// writer opens it, and the old bytes do not survive in the file.
    func testOldClearSourcesAreMigrated() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        try makeOlderDatabase(at: path, upTo: "v1") { db in
            try db.execute(sql: "INSERT INTO gate (id, name, position) VALUES ('g1', 'Cổng', 0)")
            try db.execute(sql: "INSERT INTO feed (id, gate_id, name, source, detector) VALUES ('g1-cam', 'g1', 'Cam', ?, 'ssdlite')",
                           arguments: [Self.url])
        }
        XCTAssertNotNil(try Data(contentsOf: URL(fileURLWithPath: path)).range(of: Data(Self.password.utf8)))
        let db = try GateDatabase.openWriter(path: path)
        XCTAssertEqual(try StoreQueries(db).feeds().first?.source, "rtsp://admin:***@10.0.0.21/stream1")
        try assertNoPassword(path)
        try db.close()
        try assertNoPassword(path)
    }
}
