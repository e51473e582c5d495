import Foundation
import GateAPI
import GateCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// `gatewatch hub`: sites' batches in (`POST /v1/sync/batches`, a site key), the province's
/// reads out (a reader key): the site API's contract across sites (`HubAPI`), and the
/// warehouse's exports, `/v1/export/counts` and `/v1/export/crossings` (JSON or CSV, streamed).
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
        try routes(router)
        let server: HTTPServerBuilder = try tls.map { try HTTPServerBuilder.tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname(host, port: port), serverName: nil),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
        let watch = HubLagWatch(store: store, lagAlertSeconds: lagAlertSeconds, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [store.client, app, watch],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func routes(_ router: Router<BasicRequestContext>) throws {
        let store = self.store, lagAlertSeconds = self.lagAlertSeconds
        router.add(middleware: RequestGuard(ownBodyPosts: [HubWire.batchesPath]))
        router.add(middleware: HubReaderGuard(store: store))
        router.post(RouterPath(HubWire.batchesPath)) { request, _ -> Response in
            let key = AccessGuard<BasicRequestContext>.presentedKey(request.headers)
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
                return Self.json(["code": "hub_unavailable", "reason": "\(error); the site will retry"], status: .serviceUnavailable)
            }
        }
        // The province console's one request for a site's day (outside the contract: its shape is the console's).
        router.get("v1/sites/:name/today") { request, context -> Response in
            try await Self.answer {
                // Path parameters arrive percent-encoded (names have spaces and Vietnamese letters).
                let raw = context.parameters.get("name") ?? ""
                let name = raw.removingPercentEncoding ?? raw
                guard let today = try await store.siteToday(name: name, lagAlertSeconds: lagAlertSeconds) else {
                    return Self.problem(.unknownSite(name))
                }
                return Self.json(today)
            }
        }
        router.get("v1/export/counts") { request, _ -> Response in
            try await Self.answer { try await HubExport.counts(request, store: store) }
        }
        router.get("v1/export/crossings") { request, _ -> Response in
            try await Self.answer { try await HubExport.crossings(request, store: store) }
        }
        try HubAPI(store: store, lagAlertSeconds: lagAlertSeconds).registerHandlers(
            on: router, configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
            middlewares: [ProblemMiddleware()])
    }

    /// An export: a database failure before the answer starts is one 503 line, never a stack or SQL.
    static func answer(_ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch { return problem(.databaseUnavailable(error)) }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ p: APIProblem) -> Response { RequestGuard<BasicRequestContext>.response(p) }

    /// A batch refused: `{code, reason}`, what the site's sync worker reads and keeps.
    static func refusal(_ r: HubRejection) -> Response {
        json(["code": r.code, "reason": r.description], status: HTTPResponse.Status(code: r.httpStatus))
    }
}

/// Every read needs a reader key (`gatewatch hub reader add NAME`), as `Authorization:
/// Bearer` or `X-API-Key`, checked against the database at each request (a revoked key is out
/// at once). Open: `/healthz`, the contract, and the batches (which carry a site key).
struct HubReaderGuard<Context: RequestContext>: RouterMiddleware {
    let store: HubStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.uri.path {
        case "/healthz", "/v1/openapi.yaml", HubWire.batchesPath: return try await next(request, context)
        default: break
        }
        let isReader: Bool
        do { isReader = try await store.isReader(AccessGuard<Context>.presentedKey(request.headers)) } catch {
            return RequestGuard<Context>.response(.databaseUnavailable(error))
        }
        guard isReader else {
            return AccessGuard<Context>.unauthorized(
                "send `Authorization: Bearer <key>` (or `X-API-Key: <key>`) with a reader key from `gatewatch hub reader add NAME`")
        }
        return try await next(request, context)
    }
}

/// The hub's side of the sync lag alert, checked every `HubWire.heartbeatSeconds` (a site that
/// syncs sends at least that often) until the hub stops.
struct HubLagWatch: Service {
    let store: HubStore
    let lagAlertSeconds: Double
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await store.checkLagAlerts(lagAlertSeconds: lagAlertSeconds)
                    failing = false
                } catch {
                    // Once per outage: the reads and the batches say the same at each request.
                    if !failing { logger.warning("cannot check the sites' sync lag: \(error)") }
                    failing = true
                }
                try? await Task.sleep(nanoseconds: UInt64(HubWire.heartbeatSeconds * 1e9))
            }
        }
    }
}
