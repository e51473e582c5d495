import Foundation
import GRDB
import GateCore

/// One reload of the site file by a running site (the audit trail).
public struct ConfigReload: Equatable, Sendable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "config_reload"
    public enum Trigger: String, Sendable { case signal, fileChanged = "file-changed" }
    public enum Outcome: String, Sendable { case applied, unchanged, refused }
    public var id: Int64?
    public var atMs: Int64
    public var trigger: String
    public var configPath: String
    public var outcome: String
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case id, atMs = "at_ms", trigger, configPath = "config_path", outcome, detail
    }
    public init(atMs: Int64, trigger: Trigger, configPath: String, outcome: Outcome, detail: String) {
        self.atMs = atMs; self.trigger = trigger.rawValue; self.configPath = configPath
        self.outcome = outcome.rawValue; self.detail = detail
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension GateDatabase {
    /// Records a reload (the runner, after applying or refusing the file); returns it with its id.
    @discardableResult
    public func recordConfigReload(_ reload: ConfigReload) throws -> ConfigReload {
        try write("record a site-file reload") { db in
            var r = reload
            try r.insert(db)
            return r
        }
    }
}

extension StoreQueries {
    /// The reloads, newest first.
    public func configReloads(limit: Int = 50) throws -> [ConfigReload] {
        try database.read("read site-file reloads") { db in
            guard try db.tableExists("config_reload") else { return [] }
            return try ConfigReload.order(Column("id").desc).limit(max(0, limit)).fetchAll(db)
        }
    }
}
