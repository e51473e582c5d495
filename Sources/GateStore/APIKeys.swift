import Crypto
import Foundation
import GRDB
import GateCore

/// One consumer's API key as stored: never the key, only its SHA-256 and a short prefix to
/// tell keys apart in lists and logs. Times are UTC ms.
public struct APIKeyRecord: Equatable, Sendable {
    public var name: String
    public var scope: StoredValue<APIKeyScope>
    /// The random part between `gwk_` and the secret; not secret, shown in lists.
    public var prefix: String
    public var createdMs: Int64
    public var lastUsedMs: Int64?
    public var revokedMs: Int64?
}

/// A key just made: its record, and the key text, which exists only here and is shown once.
public struct NewAPIKey: Sendable {
    public var record: APIKeyRecord
    public var key: String
}

/// What a key presented to the API comes to.
public enum APIKeyCheck: Equatable, Sendable {
    case valid(name: String, scope: APIKeyScope)
    /// Not a key of this database (or not a key at all).
    case unknown
    case revoked(name: String)
}

/// The API key problems a user can act on, one line each.
public enum APIKeyError: Error, Equatable, CustomStringConvertible {
    case badName(String)
    case duplicateName(String)
    case unknownName(String)
    case alreadyRevoked(name: String)

    public var description: String {
        switch self {
        case .badName(let n):
            return "API key name '\(TextSafety.echo(n, limit: 80))' is not a name: use 1 to 64 letters, digits, '-', '_' or '.' (e.g. lgsp or ioc-dashboard)"
        case .duplicateName(let n):
            return "an API key named '\(n)' already exists; choose another name, or `gatewatch api-key revoke \(n)` first (a revoked name stays taken, for the audit)"
        case .unknownName(let n):
            return "no API key is named '\(TextSafety.echo(n, limit: 80))'; `gatewatch api-key list` shows the names"
        case .alreadyRevoked(let n):
            return "API key '\(n)' is already revoked; nothing changed"
        }
    }
}

/// API keys: `gwk_<prefix>_<secret>` (GateCore's `SecretKeyFormat`, shared with the hub's
/// site keys), kept as their SHA-256 and prefix.
public enum APIKeys {
    static let format = SecretKeyFormat.apiKey
    static func hash(_ key: String) -> Data { SecretKeyFormat.hash(key) }

    // MARK: - `gatewatch api-key` (short writes beside a running pipeline, like the console's)

    /// Makes a key named `name`; the key text is returned once and stored only as its hash.
    public static func add(path: String, name: String, scope: APIKeyScope, at nowMs: Int64 = currentTimeMs()) throws -> NewAPIKey {
        guard SecretKeyFormat.validName(name) else { throw APIKeyError.badName(name) }
        let made = format.make()
        let record = APIKeyRecord(name: name, scope: StoredValue(scope), prefix: made.prefix, createdMs: nowMs)
        try GateDatabase.shortWrite(path: path, action: "adding an API key", migrating: true) { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE name = ?", arguments: [name]) == nil else {
                throw APIKeyError.duplicateName(name)
            }
            try db.execute(sql: "INSERT INTO api_key (name, scope, prefix, hash, created_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, scope.rawValue, made.prefix, hash(made.key), nowMs])
        }
        return NewAPIKey(record: record, key: made.key)
    }

    /// Every key, oldest first (revoked ones too: they stay for the audit).
    public static func list(path: String) throws -> [APIKeyRecord] {
        let database = try GateDatabase.openReader(path: path)
        defer { try? database.close() }
        return try database.read("list API keys") { db in
            guard try db.tableExists("api_key") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_ms, name").map(record)
        }
    }

    /// Revokes the key named `name` at once: the next request with it gets 401.
    public static func revoke(path: String, name: String, at nowMs: Int64 = currentTimeMs()) throws {
        try GateDatabase.shortWrite(path: path, action: "revoking an API key", migrating: true) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT revoked_ms FROM api_key WHERE name = ?", arguments: [name]) else {
                throw APIKeyError.unknownName(name)
            }
            if (row["revoked_ms"] as Int64?) != nil { throw APIKeyError.alreadyRevoked(name: name) }
            try db.execute(sql: "UPDATE api_key SET revoked_ms = ? WHERE name = ?", arguments: [nowMs, name])
        }
    }

    static func record(_ r: Row) -> APIKeyRecord {
        APIKeyRecord(name: r["name"], scope: r.stored("scope"), prefix: r["prefix"], createdMs: r["created_ms"],
                     lastUsedMs: r["last_used_ms"], revokedMs: r["revoked_ms"])
    }
}

// MARK: - The server's side

extension StoreQueries {
    /// What `presented` (a request's key) is: found by its prefix, then its hash compared in
    /// constant time. A database without the table has no keys, so every key is unknown.
    public func checkAPIKey(_ presented: String) throws -> APIKeyCheck {
        guard let prefix = APIKeys.format.prefix(of: presented) else { return .unknown }
        let digest = APIKeys.hash(presented)
        return try database.read("check an API key") { db in
            guard try db.tableExists("api_key") else { return .unknown }
            for row in try Row.fetchAll(db, sql: "SELECT name, scope, hash, revoked_ms FROM api_key WHERE prefix = ?",
                                        arguments: [prefix]) {
                guard SecretKeyFormat.sameDigest(row["hash"], digest) else { continue }
                if (row["revoked_ms"] as Int64?) != nil { return .revoked(name: row["name"]) }
                // A scope this version does not know grants nothing.
                guard let scope = APIKeyScope(rawValue: row["scope"]) else { return .unknown }
                return .valid(name: row["name"], scope: scope)
            }
            return .unknown
        }
    }
}

/// The outcome of acknowledging an alert through the API.
public enum APIAcknowledgement: Equatable, Sendable {
    case acknowledged(AlertRow)
    case notFound
    /// Already acknowledged or resolved: the alert as it is.
    case notOpen(AlertRow)
}

extension GateDatabase {
    /// A write from the API server: on the pipeline's own pool when this is the runner's
    /// database (`run` with `api:`), else a short write beside it, like the console's.
    func apiWrite<T>(_ action: String, _ body: (Database) throws -> T) throws -> T {
        mode == .writer ? try write(action, body) : try Self.shortWrite(path: path, action: action, body)
    }

    /// The console's acknowledge (`acknowledgeOpen`: only an open alert), recorded with the
    /// API key it came through, in one transaction with reading the outcome back.
    public func acknowledgeAlert(id: Int64, by who: String, note: String?, apiKey: String,
                                 at nowMs: Int64 = currentTimeMs()) throws -> APIAcknowledgement {
        try apiWrite("acknowledging an alert") { db in
            let done = try Self.acknowledgeOpen(id: id, by: who, note: note, at: nowMs, db: db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id]).map(StoreQueries.alert) else {
                return .notFound
            }
            guard done else { return .notOpen(row) }
            try db.execute(sql: """
                INSERT INTO api_action (at_ms, api_key, action, alert_id, by_name, note) VALUES (?, ?, 'acknowledge', ?, ?, ?)
                """, arguments: [nowMs, apiKey, id, who, note?.isEmpty == false ? note : nil])
            return .acknowledged(row)
        }
    }

    /// Notes when a key was last used (the server calls it at most once a minute a key).
    public func noteAPIKeyUse(name: String, at nowMs: Int64 = currentTimeMs()) throws {
        try apiWrite("noting an API key's use") { db in
            try db.execute(sql: "UPDATE api_key SET last_used_ms = MAX(COALESCE(last_used_ms, 0), ?) WHERE name = ?",
                           arguments: [nowMs, name])
        }
    }

    /// The API's audit trail of writes, newest first: which key did what to which alert.
    public func apiActions(limit: Int = 100) throws -> [APIAction] {
        try read("read the API audit") { db in
            guard try db.tableExists("api_action") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM api_action ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                APIAction(atMs: $0["at_ms"], apiKey: $0["api_key"], action: $0["action"], alertId: $0["alert_id"],
                          by: $0["by_name"], note: $0["note"])
            }
        }
    }
}

/// One write made through the API, as audited.
public struct APIAction: Equatable, Sendable {
    public var atMs: Int64
    public var apiKey: String
    public var action: String
    public var alertId: Int64?
    public var by: String
    public var note: String?
}

extension Schema {
    /// API keys (hashed) and the audit of what was written through the API.
    static func apiKeys(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE api_key (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,    -- the consumer, as `gatewatch api-key add NAME`
                scope TEXT NOT NULL,          -- read | ack (ack includes read)
                prefix TEXT NOT NULL,         -- not secret: tells keys apart in lists
                hash BLOB NOT NULL,           -- SHA-256 of the whole key text; the key itself is never stored
                created_ms INTEGER NOT NULL,
                last_used_ms INTEGER,
                revoked_ms INTEGER
            );
            CREATE INDEX api_key_prefix ON api_key(prefix);
            CREATE TABLE api_action (
                id INTEGER PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                api_key TEXT NOT NULL,        -- the key's name
                action TEXT NOT NULL,         -- acknowledge
                alert_id INTEGER,
                by_name TEXT NOT NULL,        -- the person the consumer named
                note TEXT
            );
            CREATE INDEX api_action_at ON api_action(at_ms);
            """)
    }
}
