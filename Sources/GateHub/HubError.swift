import Foundation
import GateCore
import NIOCore
import PostgresNIO

/// The hub's problems an operator acts on, one line each, never with a password.
public enum HubError: Error, CustomStringConvertible {
    case badURL(String)
    case badSiteName(String)
    case duplicateSite(String)
    case unknownSite(String)
    case alreadyRevoked(String)
    case badReaderName(String)
    case newerSchema(version: Int, known: Int)
    case database(Error, doing: String)

    public var description: String {
        switch self {
        case .badURL(let problem): return problem
        case .badSiteName(let problem): return problem
        case .duplicateSite(let n):
            return "a site named '\(n)' already exists at the hub; `gatewatch hub site list` shows them, `gatewatch hub site rekey` gives it a new key"
        case .unknownSite(let n):
            return "no site is named '\(TextSafety.echo(n, limit: 80))' at the hub; `gatewatch hub site list` shows the names"
        case .alreadyRevoked(let n): return "site '\(n)''s key is already revoked; nothing changed"
        case .badReaderName(let n):
            return "reader name '\(TextSafety.echo(n, limit: 80))' is not a name: use 1 to 64 letters, digits, '-', '_' or '.' (e.g. lgsp, ioc)"
        case .newerSchema(let v, let known):
            return "the hub database has schema step \(v), newer than this gatewatch knows (up to \(known)); run the newer gatewatch, or point --pg at another database"
        case .database(let error, let doing):
            return "PostgreSQL: \(Self.explain(error)) (while \(doing))"
        }
    }

    /// A PostgreSQL or connection error in words, without the URL or password.
    static func explain(_ error: Error) -> String {
        if let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.beginError ?? t.commitError {
            return explain(inner)
        }
        if String(describing: error).contains("CircuitBreakerTripped") {
            return "cannot connect (refused, timed out or login failed repeatedly): is PostgreSQL running at the URL's host and port?"
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return "connection refused: is PostgreSQL running and listening at the URL's host and port?"
        }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let state = e.serverInfo?[.sqlState].map { " [\($0)]" } ?? ""
                switch e.serverInfo?[.sqlState] {
                case "28P01", "28000": return "\(message)\(state): check the user and password in --pg (or GATEWATCH_HUB_PG) and pg_hba.conf"
                case "3D000": return "\(message)\(state): create it (createdb) or fix the database name in the URL"
                default: return "\(message)\(state)"
                }
            }
            switch e.code {
            case .connectionError, .serverClosedConnection:
                if String(describing: e.underlying as Any).contains("Connection refused") {
                    return "connection refused: is PostgreSQL running and listening at the URL's host and port?"
                }
                return "cannot reach the server (\(e.underlying.map { String(describing: $0) } ?? "connection closed")): is PostgreSQL running at the URL's host and port?"
            case .sslUnsupported: return "the server does not offer TLS: remove sslmode=require, or enable ssl in postgresql.conf"
            case .authMechanismRequiresPassword: return "the server asks for a password: put it in the URL (postgres://user:password@host/db) or GATEWATCH_HUB_PG"
            case .poolClosed: return "the connection pool is closed (the hub is stopping)"
            default: return "\(e.code)"
            }
        }
        if let e = error as? HubError { return e.description }
        return redactedURL(String(describing: error))
    }
}

/// Where the hub's database is: a `postgres://user:password@host:port/db?sslmode=…` URL,
/// from `--pg` or GATEWATCH_HUB_PG (the environment keeps the password out of `ps`).
public struct HubDatabaseSettings: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool
    public var maxConnections = 8

    public static let usage = "write postgres://USER:PASSWORD@HOST:PORT/DATABASE (add ?sslmode=require for TLS)"

    public init(url: String) throws {
        let shown = "'\(TextSafety.echo(redactedURL(url), limit: 120))'"
        guard let c = URLComponents(string: url), let scheme = c.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw HubError.badURL("\(shown) is not a PostgreSQL URL; \(Self.usage)")
        }
        guard let host = c.host, !host.isEmpty else { throw HubError.badURL("\(shown) has no host; \(Self.usage)") }
        guard let user = c.user, !user.isEmpty else { throw HubError.badURL("\(shown) has no user; \(Self.usage)") }
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !db.isEmpty else { throw HubError.badURL("\(shown) names no database; \(Self.usage)") }
        let mode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard ["disable", "require", "verify-full"].contains(mode) else {
            throw HubError.badURL("\(shown) has sslmode=\(TextSafety.echo(mode, limit: 20)); use disable, require or verify-full")
        }
        self.host = host; self.port = c.port ?? 5432; self.user = user; self.password = c.password
        self.database = db; self.requireTLS = mode != "disable"
    }

    /// The URL with the password masked.
    public var description: String { "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }

    var connectionConfiguration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database,
                                         tls: requireTLS ? .require(try! .init(configuration: .makeClientConfiguration())) : .disable)
    }

    var clientConfiguration: PostgresClient.Configuration {
        var c = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                             tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        c.options.maximumConnections = maxConnections
        c.options.connectTimeout = .seconds(5)
        return c
    }
}
