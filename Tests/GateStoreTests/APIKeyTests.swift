import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// The site API's keys: only a hash is stored, a revoked key is refused at once, the scope
/// is kept, and the API's acknowledge goes through the console's with an audit record.
final class APIKeyTests: XCTestCase {
    var dir: TempDir!
    var path: String!
    override func setUpWithError() throws {
        dir = TempDir()
        path = dir.path("gw.sqlite")
        let db = try GateDatabase.openWriter(path: path)
        try db.syncSite(demoConfig(), configPath: nil, at: nov23UTC)
        try db.close()
    }

    private func reader() throws -> GateDatabase { try GateDatabase.openReader(path: path) }

    func testTheKeyIsShownOnceAndOnlyItsHashIsStored() throws {
        let made = try APIKeys.add(path: path, name: "lgsp", scope: .read, at: nov23UTC)
        XCTAssertTrue(made.key.hasPrefix("gwk_" + made.record.prefix + "_"), made.key)
        XCTAssertEqual(made.key.count, 4 + 8 + 1 + 43)
        // Nowhere in the file (nor its WAL) is the key or its secret part.
        // The secret is all after "gwk_<prefix>_" (base64url: it may hold "_" itself).
        let secret = String(made.key.split(separator: "_", maxSplits: 2).last!)
        for file in [path!, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "\(file) holds the key's secret")
        }
        let stored = try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(db, sql: "SELECT hash, prefix, scope FROM api_key WHERE name = 'lgsp'")
        }
        XCTAssertEqual(stored?["hash"] as Data?, APIKeys.hash(made.key))
        XCTAssertEqual((stored?["hash"] as Data?)?.count, 32)
        XCTAssertEqual(stored?["scope"] as String?, "read")
        let listed = try APIKeys.list(path: path)
        XCTAssertEqual(listed, [made.record])
        XCTAssertNotEqual(try APIKeys.add(path: path, name: "ioc", scope: .read).key, made.key, "every key is new")
    }

    func testChecksFindTheKeyAndItsScopeAndRefuseOthers() throws {
        let read = try APIKeys.add(path: path, name: "lgsp", scope: .read)
        let ack = try APIKeys.add(path: path, name: "ioc", scope: .ack)
        let q = StoreQueries(try reader())
        XCTAssertEqual(try q.checkAPIKey(read.key), .valid(name: "lgsp", scope: .read))
        XCTAssertEqual(try q.checkAPIKey(ack.key), .valid(name: "ioc", scope: .ack))
        // The same prefix with another secret, a cut key, other text: unknown.
        XCTAssertEqual(try q.checkAPIKey(String(read.key.dropLast()) + (read.key.last == "A" ? "B" : "A")), .unknown)
        XCTAssertEqual(try q.checkAPIKey(String(read.key.dropLast())), .unknown)
        XCTAssertEqual(try q.checkAPIKey("Bearer"), .unknown)
        XCTAssertEqual(try q.checkAPIKey(String(repeating: "x", count: 5000)), .unknown)
        XCTAssertTrue(APIKeyScope.ack.allows(.read)); XCTAssertTrue(APIKeyScope.ack.allows(.ack))
        XCTAssertTrue(APIKeyScope.read.allows(.read)); XCTAssertFalse(APIKeyScope.read.allows(.ack))
    }

    func testRevokeTakesEffectAtOnceAndKeepsTheName() throws {
        let made = try APIKeys.add(path: path, name: "lgsp", scope: .ack)
        let q = StoreQueries(try reader())
        XCTAssertEqual(try q.checkAPIKey(made.key), .valid(name: "lgsp", scope: .ack))
        try APIKeys.revoke(path: path, name: "lgsp", at: nov23UTC + 5)
        XCTAssertEqual(try q.checkAPIKey(made.key), .revoked(name: "lgsp"), "an open reader sees the revocation")
        XCTAssertEqual(try APIKeys.list(path: path).first?.revokedMs, nov23UTC + 5)
        XCTAssertThrowsError(try APIKeys.revoke(path: path, name: "lgsp")) {
            XCTAssertEqual($0 as? APIKeyError, .alreadyRevoked(name: "lgsp"))
        }
        XCTAssertThrowsError(try APIKeys.add(path: path, name: "lgsp", scope: .read)) {
            XCTAssertEqual($0 as? APIKeyError, .duplicateName("lgsp"))
        }
        XCTAssertThrowsError(try APIKeys.revoke(path: path, name: "nobody")) {
            XCTAssertEqual($0 as? APIKeyError, .unknownName("nobody"))
        }
        XCTAssertThrowsError(try APIKeys.add(path: path, name: "two words", scope: .read)) {
            XCTAssertEqual($0 as? APIKeyError, .badName("two words"))
        }
    }

    func testMissingOrForeignDatabaseIsOneLine() throws {
        let missing = dir.path("none.sqlite")
        XCTAssertThrowsError(try APIKeys.add(path: missing, name: "a", scope: .read)) {
            XCTAssertEqual($0 as? StoreError, .notFound(path: missing))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "a missing database is not created")
        let empty = dir.path("empty.sqlite")
        try DatabaseQueue(path: empty).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        XCTAssertThrowsError(try APIKeys.add(path: empty, name: "a", scope: .read)) {
            XCTAssertEqual($0 as? StoreError, .notInitialized(path: empty))
        }
    }

    func testAcknowledgeThroughTheAPIIsTheConsolesAndAudited() throws {
        let writer = try GateDatabase.openWriter(path: path)
        let alert = try writer.raiseOrUpdate(kind: .offline, subject: .feed("g2-cam"), severity: .critical, message: "m", at: nov23UTC)
        try writer.close()
        let db = try reader()
        guard case .acknowledged(let row) = try db.acknowledgeAlert(id: alert.id, by: "Lan", note: "đã gọi", apiKey: "ioc",
                                                                   at: nov23UTC + 1000) else { return XCTFail("not acknowledged") }
        XCTAssertEqual(row.state, .known(.acknowledged)); XCTAssertEqual(row.ackBy, "Lan"); XCTAssertEqual(row.ackNote, "đã gọi")
        XCTAssertEqual(try db.apiActions(), [APIAction(atMs: nov23UTC + 1000, apiKey: "ioc", action: "acknowledge", alertId: alert.id,
                                                       by: "Lan", note: "đã gọi")])
        guard case .notOpen(let again) = try db.acknowledgeAlert(id: alert.id, by: "Minh", note: nil, apiKey: "ioc") else {
            return XCTFail("a second acknowledge must not succeed")
        }
        XCTAssertEqual(again.ackBy, "Lan", "nothing changed")
        XCTAssertEqual(try db.acknowledgeAlert(id: 999, by: "Lan", note: nil, apiKey: "ioc"), .notFound)
        XCTAssertEqual(try db.apiActions().count, 1)
    }

    func testLastUseIsNotedAndNeverGoesBack() throws {
        _ = try APIKeys.add(path: path, name: "lgsp", scope: .read)
        let db = try reader()
        try db.noteAPIKeyUse(name: "lgsp", at: nov23UTC + 2000)
        try db.noteAPIKeyUse(name: "lgsp", at: nov23UTC + 1000)
        XCTAssertEqual(try APIKeys.list(path: path).first?.lastUsedMs, nov23UTC + 2000)
    }
}
