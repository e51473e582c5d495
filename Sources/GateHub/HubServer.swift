import Foundation
import GateAPI
import GateCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// `gatewatch hub`: sites' batches in (`POST /v1/sync/batches`, a site key), the province's
/// reads out (a reader key): `/v1/sites`, `/v1/counts` and `/v1/crossings` (JSON or CSV,
/// streamed), `/v1/alerts`, `/metrics`.
public struct HubServer: Sendable {
    public var host: String
    public var port: Int
    /// Lag beyond this is `sync_lag` in a site's attention list and in /metrics.
    public var lagAlertSeconds: Double
    let store: HubStore
    let tls: TLSConfiguration?

    public init(store: HubStore, host: String, port: Int, lagAlertSeconds: Double, tlsCert: String?, tlsKey: String?) throws {
        self.store = store; self.host = host; self.port = port; self.lagAlertSeconds = lagAlertSeconds
        tls = try tlsCert.map { try ServerTLS.configuration(cert: $0, key: tlsKey ?? "") }
    }

    /// Runs the database client and the server until SIGTERM or SIGINT.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "gatewatch.hub")
        logger.logLevel = .warning
        let router = Router()
        routes(router)
        let server: HTTPServerBuilder = try tls.map { try HTTPServerBuilder.tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname(host, port: port), serverName: nil),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [store.client, app],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func routes(_ router: Router<BasicRequestContext>) {
        let store = self.store, lagAlert = lagAlertSeconds
        router.get("healthz") { _, _ in "ok\n" }
        router.post("v1/sync/batches") { request, _ -> Response in
            let key = Self.bearer(request)
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: HubWire.maxBatchBytes) } catch {
                return Self.refusal(HubRejection.tooLarge(bytes: request.headers[.contentLength].flatMap { Int($0) } ?? HubWire.maxBatchBytes + 1))
            }
            do {
                let ack = try await store.ingest(body: Data(body.readableBytesView), presentedKey: key)
                return Self.json(ack)
            } catch let r as HubRejection {
                return Self.refusal(r)
            } catch {
                // The database failed: the site keeps the batch and tries again.
                return Self.problem(503, code: "hub_unavailable", reason: "\(error); the site will retry")
            }
        }
        router.get("v1/sites") { request, _ -> Response in
            try await Self.forReader(request, store) { Self.json(try await store.siteSummaries(lagAlertSeconds: lagAlert)) }
        }
        router.get("v1/sites/:name/today") { request, context -> Response in
            try await Self.forReader(request, store) {
                // Path parameters arrive percent-encoded (names have spaces and Vietnamese letters).
                let raw = context.parameters.get("name") ?? ""
                let name = raw.removingPercentEncoding ?? raw
                guard let today = try await store.siteToday(name: name, lagAlertSeconds: lagAlert) else {
                    return Self.problem(404, code: "unknown_site", reason: "no site is named '\(TextSafety.echo(name, limit: 100))'; GET /v1/sites lists them")
                }
                return Self.json(today)
            }
        }
        router.get("v1/counts") { request, _ -> Response in
            try await Self.forReader(request, store) { try await HubExport.counts(request, store: store) }
        }
        router.get("v1/crossings") { request, _ -> Response in
            try await Self.forReader(request, store) { try await HubExport.crossings(request, store: store) }
        }
        router.get("v1/alerts") { request, _ -> Response in
            try await Self.forReader(request, store) {
                let q = request.uri.queryParameters
                let state = q["state"].map(String.init) ?? "open"
                guard state == "open" || state == "all" else {
                    return Self.problem(400, code: "bad_state", reason: "state=\(TextSafety.echo(state, limit: 20)) is not open or all")
                }
                return Self.json(try await store.alerts(site: q["site"].map(String.init), openOnly: state == "open"))
            }
        }
        router.get("metrics") { request, _ -> Response in
            try await Self.forReader(request, store) { try await HubMetrics.response(store: store, lagAlertSeconds: lagAlert) }
        }
    }

    /// A read: a reader key first; a database failure is one line with 503, never a stack or SQL.
    static func forReader(_ request: Request, _ store: HubStore, _ body: () async throws -> Response) async throws -> Response {
        do {
            guard try await store.isReader(bearer(request)) else { return readerNeeded() }
            return try await body()
        } catch {
            return problem(503, code: "hub_unavailable", reason: "\(error)")
        }
    }

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ status: Int, code: String, reason: String) -> Response {
        json(["code": code, "reason": reason], status: HTTPResponse.Status(code: status))
    }

    static func refusal(_ r: HubRejection) -> Response { problem(r.httpStatus, code: r.code, reason: r.description) }

    static func readerNeeded() -> Response {
        problem(401, code: "reader_key_needed",
                reason: "send Authorization: Bearer <key> with a reader key from `gatewatch hub reader add NAME`")
    }
}
