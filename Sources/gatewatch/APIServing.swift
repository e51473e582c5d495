import Dispatch
import Foundation
import GateAPI
import GateCore
import GateStore

/// A `SiteServer` on its own task, for `serve` (the whole command) and `run` (beside the
/// runner): started, then waited for until it listens or fails, so a port in use or a bad
/// certificate is one line before anything else happens.
final class RunningAPI: @unchecked Sendable {
    private let lock = NSLock()
    private var failure: Error?
    private var boundPort: Int?
    private let ready = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var task: Task<Void, Never>?
    private let shutdown = ServerShutdown()
    let settings: APISettings

    private init(settings: APISettings) { self.settings = settings }

    /// Starts serving `database`; a TLS file that cannot be used is thrown here.
    static func start(database: GateDatabase, settings: APISettings, stopsOnSignals: Bool) throws -> RunningAPI {
        let server = try SiteServer(database: database, settings: settings)
        let api = RunningAPI(settings: settings)
        api.task = Task {
            do {
                try await server.run(stopsOnSignals: stopsOnSignals, shutdown: api.shutdown) { port in
                    api.lock.withLock { api.boundPort = port }
                    api.ready.signal()
                }
            } catch {
                api.lock.withLock { api.failure = error }
            }
            api.ready.signal()
            api.finished.signal()
        }
        return api
    }

    /// The bound port once listening; the reason as one line when it could not.
    func waitUntilListening(timeout: Double = 30) throws -> Int {
        guard ready.wait(timeout: .now() + timeout) == .success else {
            throw CLIError("the site API did not start listening on \(listenText) within \(Int(timeout)) s")
        }
        lock.lock(); defer { lock.unlock() }
        if let port = boundPort { return port }
        throw Self.cannotServe(failure, listen: listenText)
    }

    /// Blocks until the server has stopped; its error as one line, if it failed.
    func waitUntilFinished() throws {
        finished.wait()
        lock.lock(); defer { lock.unlock() }
        if let failure { throw Self.cannotServe(failure, listen: listenText) }
    }

    /// Stops it (a graceful shutdown: requests in flight are answered), waiting at most `timeout`.
    func stop(timeout: Double = 10) {
        let shutdown = self.shutdown
        Task { await shutdown.trigger() }
        if finished.wait(timeout: .now() + timeout) == .timedOut { task?.cancel() }
    }

    private var listenText: String {
        (settings.host.contains(":") ? "[\(settings.host)]" : settings.host) + ":\(settings.port)"
    }

    static func cannotServe(_ error: Error?, listen: String) -> CLIError {
        let reason = error.map(oneLine) ?? "unknown error"
        let hint = reason.contains("in use") ? "; another server holds that port: choose another listen address" : ""
        return CLIError("cannot serve the site API on \(listen): \(reason)\(hint)")
    }
}
