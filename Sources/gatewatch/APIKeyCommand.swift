import ArgumentParser
import Foundation
import GateCore
import GateStore

/// `gatewatch api-key add|list|revoke`: the site API's per-consumer keys, stored hashed.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Make, list and revoke the site API's keys (one per consuming system).",
        discussion: "A key is shown once, when it is made; the database keeps only its SHA-256. "
            + "These are short writes, safe while `gatewatch run` or `serve` use the database.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Make a key and print it once (scope read, or ack: read and acknowledge alerts).")

        @Argument(help: "The consumer's name, e.g. lgsp or ioc (letters, digits, - _ .; at most 64).")
        var name: String

        @Option(help: "read, or ack (read and acknowledge alerts).")
        var scope: String = APIKeyScope.read.rawValue

        @OptionGroup var store: KeyStoreOptions

        func validate() throws {
            guard APIKeyScope(rawValue: scope) != nil else {
                throw ValidationError("--scope '\(TextSafety.echo(scope, limit: 20))' is not a scope; use read, or ack (read and acknowledge alerts)")
            }
        }

        func run() throws {
            try runReportingErrors {
                let made = try APIKeys.add(path: store.db, name: name, scope: APIKeyScope(rawValue: scope) ?? .read)
                let say = store.texts
                print(terminalText(say.created(name: name, scope: made.record.scope.known ?? .read)))
                print(made.key)
                print(terminalText(say.usage(base: APISettings().baseURL())))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the keys: name, scope, prefix, when made, last used, revoked (never the key).")

        @OptionGroup var store: KeyStoreOptions

        @Flag(help: "JSON output.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let keys = try APIKeys.list(path: store.db)
                let zone = try siteZone(store.db)
                if json { print(Self.json(keys, zone: zone)); return }
                let say = store.texts
                guard !keys.isEmpty else { print(terminalText(say.noKeys)); return }
                let rows = keys.map { k in
                    [k.name, k.scope.rawValue, k.prefix, Self.time(k.createdMs, zone),
                     k.lastUsedMs.map { Self.time($0, zone) } ?? say.never, k.revokedMs.map { Self.time($0, zone) } ?? say.notRevoked]
                }
                print(terminalText(Self.table([say.headings] + rows)))
            }
        }

        static func time(_ ms: Int64, _ zone: TimeZone) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = zone; f.dateFormat = "yyyy-MM-dd HH:mm"
            return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }

        static func table(_ rows: [[String]]) -> String {
            let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
            return rows.map { row in
                zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
        }

        static func json(_ keys: [APIKeyRecord], zone: TimeZone) -> String {
            let items: [[String: Any]] = keys.map { k in
                var o: [String: Any] = ["name": k.name, "scope": k.scope.rawValue, "prefix": k.prefix, "created_ms": k.createdMs]
                if let t = k.lastUsedMs { o["last_used_ms"] = t }
                if let t = k.revokedMs { o["revoked_ms"] = t }
                return o
            }
            let data = (try? JSONSerialization.data(withJSONObject: ["keys": items], options: [.sortedKeys, .prettyPrinted])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a key at once: every request with it gets 401 (the name stays, for the audit).")

        @Argument(help: "The key's name, as `api-key list` shows it.")
        var name: String

        @OptionGroup var store: KeyStoreOptions

        func run() throws {
            try runReportingErrors {
                try APIKeys.revoke(path: store.db, name: name)
                print(terminalText(store.texts.revoked(name: name)))
            }
        }
    }
}

/// `--db` and `--lang`, the same for every `api-key` subcommand.
struct KeyStoreOptions: ParsableArguments {
    @Option(help: "The GateWatch database.")
    var db: String

    @Option(help: "Language: vi or en (default from LANG).")
    var lang: String?

    func validate() throws { try validateLanguage(lang) }

    var texts: APIKeyTexts { APIKeyTexts(reportLanguage(lang)) }
}

/// The site's time zone, for showing times as the site's staff read them.
private func siteZone(_ path: String) throws -> TimeZone {
    let database = try GateDatabase.openReader(path: path)
    defer { try? database.close() }
    return try StoreQueries(database).siteTimeZone()
}
