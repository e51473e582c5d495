import ArgumentParser
import Dispatch
import Foundation
import GateAPI
import GateCore
import GateStore

/// `gatewatch serve`: the site HTTP API (read side) over one database, beside the runner.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a GateWatch database as the site HTTP API (/v1, /healthz, /metrics).",
        discussion: "Read-only: it opens the database as a reader, so it runs beside `gatewatch run`. "
            + "The contract is served at /v1/openapi.yaml."
    )

    @Option(help: "The GateWatch database.")
    var db: String

    @Option(help: "Address and port to listen on (host:port; port 0 picks a free one).")
    var listen = "127.0.0.1:8080"

    func validate() throws {
        guard SiteServer.parseListen(listen) != nil else {
            throw ValidationError("--listen '\(TextSafety.echo(listen, limit: 60))' is not host:port, e.g. 127.0.0.1:8080")
        }
    }

    func run() throws {
        try runReportingErrors {
            let address = SiteServer.parseListen(listen)!
            let database = try GateDatabase.openReader(path: db)
            defer { try? database.close() }
            let server = SiteServer(database: database, host: address.host, port: address.port)
            let shown = address.host.contains(":") ? "[\(address.host)]" : address.host
            let outcome = ServeOutcome()
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await server.run { port in
                        print("gatewatch serve: http://\(shown):\(port)/v1 (database \(database.path))")
                        fflush(stdout)
                    }
                } catch {
                    outcome.set(error)
                }
                done.signal()
            }
            done.wait()
            if let error = outcome.error {
                throw CLIError("cannot serve on \(listen): \(oneLine(error)); is another server on that port? choose another --listen")
            }
        }
    }
}

/// The server task's error, handed to the waiting command.
private final class ServeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ e: Error) { lock.lock(); stored = e; lock.unlock() }
}
