import ArgumentParser
import Dispatch
import Foundation
import GateCore
import GateHub

/// `gatewatch hub`: the province hub on PostgreSQL, and its keys.
struct HubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "The province hub: every site's crossings, alerts and status in one PostgreSQL database.",
        discussion: "`gatewatch hub --pg URL` serves sites' batches (POST /v1/sync/batches, a site key) and the province's "
            + "reads (the site API's contract across sites with site=NAME, /v1/export/counts|crossings, /metrics; a reader key). Keys: `gatewatch hub site add NAME`, "
            + "`gatewatch hub reader add NAME`. The URL may come from GATEWATCH_HUB_PG instead of --pg (kept out of `ps`).",
        subcommands: [HubServeCommand.self, HubSiteCommand.self, HubReaderCommand.self, HubSimulateCommand.self],
        defaultSubcommand: HubServeCommand.self)
}

/// `--pg`, or GATEWATCH_HUB_PG: where the hub's database is.
struct HubDatabaseOption: ParsableArguments {
    @Option(name: .customLong("pg"), help: "postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: $GATEWATCH_HUB_PG).")
    var url: String?

    func settings() throws -> HubDatabaseSettings {
        guard let text = url ?? ProcessInfo.processInfo.environment["GATEWATCH_HUB_PG"], !text.isEmpty else {
            throw CLIError("give the hub's database with --pg postgres://USER@HOST/DB (or set GATEWATCH_HUB_PG)")
        }
        return try HubDatabaseSettings(url: text)
    }

    /// Runs `body` with the store's client running and the schema migrated.
    func withStore<T: Sendable>(_ body: @escaping @Sendable (HubStore) async throws -> T) throws -> T {
        let store = HubStore(settings: try settings())
        return try blockingAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.client.run() }
                defer { group.cancelAll() }
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}

/// Runs async work from a synchronous command, errors rethrown.
func blockingAsync<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, Error>!
    Task.detached {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

struct HubServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the hub (the default).")

    @OptionGroup var database: HubDatabaseOption

    @Option(help: "Address and port to listen on (host:port; port 0 picks a free one).")
    var listen = "127.0.0.1:8443"

    @Option(help: "Seconds of site lag beyond which a site needs attention (sync_lag).")
    var lagAlert: Double = Limits.syncLagAlert.defaultValue!

    @Option(help: "PEM certificate (chain) file: serve HTTPS (needs --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key file of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        if APISettings.parseListen(listen) == nil {
            throw ValidationError("--listen '\(TextSafety.echo(listen, limit: 60))' is not host:port; \(APISettings.listenUsage)")
        }
        try checkFlag(lagAlert, Limits.syncLagAlert, flag: "--lag-alert")
        if let problem = APISettings.tlsPairProblem(cert: tlsCert, key: tlsKey, certName: "--tls-cert", keyName: "--tls-key") {
            throw ValidationError(problem)
        }
    }

    func run() throws {
        try runReportingErrors {
            let settings = try database.settings()
            let address = APISettings.parseListen(listen)!
            let store = HubStore(settings: settings)
            let server = try HubServer(store: store, host: address.host, port: address.port, lagAlertSeconds: lagAlert,
                                       tlsCert: tlsCert, tlsKey: tlsKey)
            let scheme = tlsCert == nil ? "http" : "https"
            try blockingAsync {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Migrate with a client of its own first: a database that cannot be reached
                    // is one line and exit 1, before anything listens.
                    let migrating = HubStore(settings: settings)
                    group.addTask { await migrating.client.run() }
                    try await migrating.migrate()
                    group.cancelAll()
                }
                try await server.run { port in
                    print("gatewatch hub: \(scheme)://\(address.host):\(port) (database \(settings))")
                    fflush(stdout)
                }
            }
        }
    }
}

struct HubSiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Issue, list and revoke sites' keys.",
        subcommands: [Add.self, List.self, Rekey.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a key for a site (shown once; put it in the site's sync.key).")
        @Argument(help: "The site's name: its site file's site.name.") var name: String
        @OptionGroup var database: HubDatabaseOption
        func run() throws {
            try runReportingErrors {
                let name = self.name
                let key = try database.withStore { try await $0.addSite(name: name) }
                print("Site '\(name)' added. Its key is shown this once only; put it in that site's file:")
                print("sync:\n  hub: https://<this hub>:8443\n  key: \(key)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sites, their last batch and sequence.")
        @OptionGroup var database: HubDatabaseOption
        func run() throws {
            try runReportingErrors {
                let sites = try database.withStore { try await $0.sites() }
                if sites.isEmpty { print("No sites yet; add one with: gatewatch hub site add NAME --pg URL"); return }
                let f = ISO8601DateFormatter()
                func time(_ ms: Int64?) -> String { ms.map { f.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "-" }
                print("name\tkey prefix\tcreated\trevoked\tlast batch\tlast sequence")
                for s in sites {
                    print("\(s.name)\t\(s.keyPrefix)\t\(time(s.createdMs))\t\(time(s.revokedMs))\t\(time(s.lastBatchMs))\t\(s.lastSeq)")
                }
            }
        }
    }

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a site a new key (the old one stops working; a revoked site is let back in).")
        @Argument(help: "The site's name.") var name: String
        @OptionGroup var database: HubDatabaseOption
        func run() throws {
            try runReportingErrors {
                let name = self.name
                let key = try database.withStore { try await $0.rekeySite(name: name) }
                print("Site '\(name)' has a new key (the old one no longer works). It is shown this once only; put it in sync.key:")
                print(key)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a site's key at once (its batches are refused; it keeps its events).")
        @Argument(help: "The site's name.") var name: String
        @OptionGroup var database: HubDatabaseOption
        func run() throws {
            try runReportingErrors {
                let name = self.name
                try database.withStore { try await $0.revokeSite(name: name) }
                print("Site '\(name)''s key revoked: its next batch is refused with the reason; nothing it sent is removed.")
            }
        }
    }
}

struct HubReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader", abstract: "Issue keys for the systems that read the hub (LGSP, IOC, the province console).",
        subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a reader key (shown once).")
        @Argument(help: "Who reads (e.g. lgsp, ioc).") var name: String
        @OptionGroup var database: HubDatabaseOption
        func run() throws {
            try runReportingErrors {
                let name = self.name
                let key = try database.withStore { try await $0.addReader(name: name) }
                print("Reader '\(name)' added. Its key is shown this once only:\n\(key)")
            }
        }
    }
}
