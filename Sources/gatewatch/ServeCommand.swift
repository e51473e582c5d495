import ArgumentParser
import Dispatch
import Foundation
import GateAPI
import GateCore
import GateStore

/// `gatewatch serve`: the site HTTP API over one database, beside the runner.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a GateWatch database as the site HTTP API (/v1, /healthz, /metrics).",
        discussion: "Reads the database as a reader, so it runs beside `gatewatch run`; acknowledging an alert is a "
            + "short write, like the console's. Every request but /healthz and /v1/openapi.yaml needs a key from "
            + "`gatewatch api-key add`. The contract is served at /v1/openapi.yaml. With --config, the site file's "
            + "api: section gives the settings; the flags here win over it."
    )

    @Option(help: "The GateWatch database (default with --config: the config's name with .sqlite, beside it).")
    var db: String?

    @Option(help: "A site file whose api: section gives listen, metrics, tls_cert and tls_key.")
    var config: String?

    @Option(help: "Address and port to listen on (host:port; port 0 picks a free one). Default \(APISettings.defaultListen).")
    var listen: String?

    @Option(help: "Who may read /metrics: key (a read key, the default) or open.")
    var metrics: String?

    @Option(help: "PEM certificate (chain) file: serve HTTPS (needs --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key file of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        if let listen, APISettings.parseListen(listen) == nil {
            throw ValidationError("--listen '\(TextSafety.echo(listen, limit: 60))' is not host:port; \(APISettings.listenUsage)")
        }
        if let metrics, MetricsAccess(rawValue: metrics) == nil {
            throw ValidationError("--metrics '\(TextSafety.echo(metrics, limit: 20))' is not key or open")
        }
        if db == nil && config == nil { throw ValidationError("give the database with --db (or a site file with --config)") }
    }

    /// The api: section of --config (paths from its folder), then the flags over it.
    func apiSettings() throws -> APISettings {
        var s = APISettings()
        if let config {
            let site = try ConfigLoader.load(path: config)
            let folder = (config as NSString).deletingLastPathComponent
            s = site.api?.resolvingPaths(against: folder.isEmpty ? "." : folder) ?? s
        }
        if let listen, let address = APISettings.parseListen(listen) { s.host = address.host; s.port = address.port }
        if let metrics, let access = MetricsAccess(rawValue: metrics) { s.metrics = access }
        if tlsCert != nil || tlsKey != nil {
            if let problem = APISettings.tlsPairProblem(cert: tlsCert, key: tlsKey, certName: "--tls-cert", keyName: "--tls-key") {
                throw CLIError(problem)
            }
            s.tlsCert = tlsCert; s.tlsKey = tlsKey
        }
        return s
    }

    func run() throws {
        try runReportingErrors {
            let settings = try apiSettings()
            let path = db ?? defaultDatabasePath(forConfig: config ?? "")
            let database = try GateDatabase.openReader(path: path)
            defer { try? database.close() }
            let api = try RunningAPI.start(database: database, settings: settings, stopsOnSignals: true)
            let port = try api.waitUntilListening()
            print("gatewatch serve: \(settings.baseURL(port: port))/v1 (database \(database.path); /metrics \(settings.metrics == .open ? "open" : "needs a key"))")
            fflush(stdout)
            try api.waitUntilFinished()
        }
    }
}
