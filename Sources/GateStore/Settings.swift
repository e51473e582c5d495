import Foundation
import GRDB
import GateCore

/// Named settings kept in the database (table `setting`, migration "console-settings"),
/// each with one typed read and write here; values are JSON.
public enum StoreSetting: String, Sendable {
    /// The acceptance suite folders the console's Tests screen lists (`--suites`), as a JSON array.
    case consoleSuites = "console.suites"
}

extension StoreQueries {
    /// The suite folders last given with `--suites` to a console on this database; nil when none
    /// was given yet (or the database predates settings).
    public func suiteFolders() throws -> [String]? {
        try database.read("read the remembered suite folders") { try Self.suiteFolders($0) }
    }

    /// The same, inside a caller's read transaction (the console's snapshot).
    static func suiteFolders(_ db: Database) throws -> [String]? {
        guard try db.tableExists("setting"),
              let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?",
                                             arguments: [StoreSetting.consoleSuites.rawValue]) else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}

extension GateDatabase {
    /// Remembers the suite folders given with `--suites` (absolute paths), so a console started
    /// later without `--suites` lists the same ones. A short write: the console stays a reader.
    public static func rememberSuiteFolders(path: String, _ folders: [String], at nowMs: Int64 = currentTimeMs()) throws {
        let json = String(decoding: try JSONEncoder().encode(folders), as: UTF8.self)
        try shortWrite(path: path, action: "remembering the suite folders (--suites)") { db in
            guard try db.tableExists("setting") else {
                throw StoreError.invalidArgument(what: "database", detail: "\(path) has no settings table yet; start `gatewatch run` (or `demo`) on it once with this version")
            }
            try db.execute(sql: """
                INSERT INTO setting (key, value, updated_ms) VALUES (?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms
                """, arguments: [StoreSetting.consoleSuites.rawValue, json, nowMs])
        }
    }
}
