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

/// Keys are `gwk_<prefix>_<secret>`: 4 random bytes as 8 hex digits, then 32 random bytes in
/// base64url. The secret has 256 bits, so a plain SHA-256 of the key is a safe record of it
/// (no password stretching needed), and the prefix finds the row without the secret.
public enum APIKeys {
    static let keyLead = "gwk_"
    /// Longest text taken as a presented key (a real one is 56 characters).
    static let maxPresented = 128

    static func makeKey() -> (prefix: String, key: String) {
        var generator = SystemRandomNumberGenerator()
        let prefix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let text = secret.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (prefix, keyLead + prefix + "_" + text)
    }

    static func hash(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    /// The prefix of a presented key, nil when the text cannot be a key.
    static func prefix(of presented: String) -> String? {
        guard presented.utf8.count <= maxPresented, presented.hasPrefix(keyLead) else { return nil }
        let parts = presented.dropFirst(keyLead.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 8, parts[0].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[0])
    }

    /// Equal digests, in time independent of where they differ.
    static func sameDigest(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func validName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    // MARK: - `gatewatch api-key` (short writes beside a running pipeline, like the console's)

    /// Makes a key named `name`; the key text is returned once and stored only as its hash.
    public static func add(path: String, name: String, scope: APIKeyScope, at nowMs: Int64 = currentTimeMs()) throws -> NewAPIKey {
        guard validName(name) else { throw APIKeyError.badName(name) }
        let made = makeKey()
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
        guard let prefix = APIKeys.prefix(of: presented) else { return .unknown }
        let digest = APIKeys.hash(presented)
        return try database.read("check an API key") { db in
            guard try db.tableExists("api_key") else { return .unknown }
            for row in try Row.fetchAll(db, sql: "SELECT name, scope, hash, revoked_ms FROM api_key WHERE prefix = ?",
                                        arguments: [prefix]) {
                guard APIKeys.sameDigest(row["hash"], digest) else { continue }
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
