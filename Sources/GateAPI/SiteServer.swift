import Foundation
import GateCore
import GateStore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// The site API on one address over one database: `gatewatch serve`, and `gatewatch run`
/// when the site file has an `api:` section. Every request but the open ones needs a key
/// (`AccessGuard`); HTTPS when the settings name a certificate and key.
public struct SiteServer: Sendable {
    /// Longest request target (path and query string) taken; longer gets 414.
    public static let maxTargetBytes = 2048
    /// Largest request body taken (an acknowledgement); larger gets 413.
    public static let maxBodyBytes = 4096

    public let database: GateDatabase
    public let settings: APISettings
    let tls: TLSConfiguration?

    /// Reads the TLS files at once, so a bad one is refused before anything listens.
    public init(database: GateDatabase, settings: APISettings) throws {
        self.database = database; self.settings = settings
        tls = try settings.tlsCert.map { try ServerTLS.configuration(cert: $0, key: settings.tlsKey ?? "") }
    }

    /// Serves until SIGTERM or SIGINT (`stopsOnSignals`: `serve`) or until the task is cancelled
    /// (`run`, which stops on its own signals); `onListening` gets the bound port (useful with port 0).
    public func run(stopsOnSignals: Bool = true, shutdown: ServerShutdown? = nil,
                    onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "gatewatch.serve")
        // Requests are not logged (a query string is the consumer's, a header may hold a key); start and failures are.
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: RequestGuard())
        router.add(middleware: AccessGuard(database: database, metrics: settings.metrics, logger: logger))
        try SiteAPI(database: database).registerHandlers(
            on: router, configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
            middlewares: [ProblemMiddleware()])
        let server: HTTPServerBuilder = try tls.map { try HTTPServerBuilder.tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: stopsOnSignals ? [.sigterm, .sigint] : [], logger: logger))
        await shutdown?.attach(group)
        try await group.run()
    }

    /// `host:port` as given to `--listen`; nil when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? { APISettings.parseListen(text) }
}

/// Before any handler: GET everywhere and POST only where the contract takes it (405 with
/// `Allow` otherwise), a bounded target, no body on GET and at most `maxBodyBytes` on POST
/// (read here, so the handler never collects an unbounded one); and after: whatever was
/// thrown (no route, a method not served) as problem JSON, never a bare status.
package struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    /// Other paths that take POST, whose handlers read and bound their own bodies (the hub's batches).
    let ownBodyPosts: Set<String>

    package init(ownBodyPosts: Set<String> = []) { self.ownBodyPosts = ownBodyPosts }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let target = request.uri.description
        if target.utf8.count > SiteServer.maxTargetBytes {
            return Self.response(APIProblem(slug: "target-too-long", title: "Request target too long", status: 414,
                                            detail: "the path and query string are \(target.utf8.count) bytes; at most \(SiteServer.maxTargetBytes) are taken"))
        }
        let acknowledge = AccessGuard<Context>.isAcknowledge(request.uri.path)
        let allowed: HTTPRequest.Method = acknowledge || ownBodyPosts.contains(request.uri.path) ? .post : .get
        guard request.method == allowed else {
            var response = Self.response(APIProblem(slug: "method-not-allowed", title: "Method not allowed", status: 405,
                                                    detail: "\(request.method.rawValue.prefix(16)) is not served here; use \(allowed.rawValue)"))
            response.headers[.allow] = allowed.rawValue
            return response
        }
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        if allowed == .get, length > 0 || request.headers[.transferEncoding] != nil {
            return Self.response(APIProblem(slug: "body-not-taken", title: "Request body not taken", status: 413,
                                            detail: "GET requests here take no body; send the parameters in the query string"))
        }
        if acknowledge {
            let tooLarge = APIProblem(slug: "body-too-large", title: "Request body too large", status: 413,
                                      detail: "the body is larger than the \(SiteServer.maxBodyBytes) bytes taken; send {\"name\": ..., \"note\": ...} with a shorter note")
            if length > SiteServer.maxBodyBytes { return Self.response(tooLarge) }
            do { _ = try await request.collectBody(upTo: SiteServer.maxBodyBytes) } catch { return Self.response(tooLarge) }
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Self.response(.notFound(request.uri.path))
        } catch {
            return Self.response(ProblemMiddleware.problem(for: error))
        }
    }

    package static func response(_ problem: APIProblem) -> Response {
        Response(status: problem.httpStatus, headers: problem.httpHeaderFields,
                 body: .init(byteBuffer: ByteBuffer(bytes: problem.json)))
    }
}

/// Ends a server started with `run(shutdown:)` the way SIGTERM ends `serve`: gracefully, requests
/// in flight answered. Cancelling its task instead makes Hummingbird log errors on a normal stop.
public final class ServerShutdown: @unchecked Sendable {
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var requested = false

    public init() {}

    func attach(_ group: ServiceGroup) async {
        let alreadyRequested = lock.withLock { self.group = group; return requested }
        if alreadyRequested { await group.triggerGracefulShutdown() }
    }

    public func trigger() async {
        let group = lock.withLock { requested = true; return self.group }
        await group?.triggerGracefulShutdown()
    }
}
