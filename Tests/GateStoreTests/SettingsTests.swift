import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// The console's settings row (migration "console-settings"): typed read and write.
final class SettingsTests: XCTestCase {
    func testSuiteFoldersAreRememberedAndReplaced() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        try GateDatabase.openWriter(path: path).close()
        let reader = try GateDatabase.openReader(path: path)
        defer { try? reader.close() }
        XCTAssertNil(try StoreQueries(reader).suiteFolders(), "nothing given yet")
        try GateDatabase.rememberSuiteFolders(path: path, ["/srv/a", "/srv/b c"], at: 1_000)
        XCTAssertEqual(try StoreQueries(reader).suiteFolders(), ["/srv/a", "/srv/b c"])
        try GateDatabase.rememberSuiteFolders(path: path, ["/srv/night"], at: 2_000)
        XCTAssertEqual(try StoreQueries(reader).suiteFolders(), ["/srv/night"])
    }

    /// A database from before the settings table: reading says "none", writing says what to do in one line.
    func testDatabaseWithoutTheSettingsTable() throws {
        let dir = TempDir()
        let path = dir.path("old.sqlite")
        let q = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(q, upTo: "v3-local-rollups")
        try q.close()
        let reader = try GateDatabase.openReader(path: path)
        defer { try? reader.close() }
        XCTAssertNil(try StoreQueries(reader).suiteFolders())
        XCTAssertThrowsError(try GateDatabase.rememberSuiteFolders(path: path, ["/srv/a"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no settings table yet"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }
}
