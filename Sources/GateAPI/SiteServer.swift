import Foundation
import GateStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// `gatewatch serve`: the site API on one address, reading one database.
public struct SiteServer: Sendable {
    /// Longest request target (path and query string) taken; longer gets 414.
    public static let maxTargetBytes = 2048

    public let database: GateDatabase
    public let host: String
    public let port: Int

    public init(database: GateDatabase, host: String, port: Int) {
        self.database = database; self.host = host; self.port = port
    }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "gatewatch.serve")
        // Requests are not logged (a query string is the consumer's); start and failures are.
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: RequestGuard())
        try SiteAPI(database: database).registerHandlers(
            on: router, configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
            middlewares: [ProblemMiddleware()])
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }

    /// `host:port` as given to `--listen`; nil with the reason when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }
}

/// Before any handler: only GET (405 with `Allow` otherwise), no body, a bounded target; and after: whatever was
/// thrown (no route, a method not served) as problem JSON, never a bare status.
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.description
        if target.utf8.count > SiteServer.maxTargetBytes {
            return Self.response(APIProblem(slug: "target-too-long", title: "Request target too long", status: 414,
                                            detail: "the path and query string are \(target.utf8.count) bytes; at most \(SiteServer.maxTargetBytes) are taken"))
        }
        guard request.method == .get else {
            var response = Self.response(APIProblem(slug: "method-not-allowed", title: "Method not allowed", status: 405,
                                                    detail: "\(request.method.rawValue.prefix(16)) is not served; this API is read-only (GET)"))
            response.headers[.allow] = "GET"
            return response
        }
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        if length > 0 || request.headers[.transferEncoding] != nil {
            return Self.response(APIProblem(slug: "body-not-taken", title: "Request body not taken", status: 413,
                                            detail: "GET requests here take no body; send the parameters in the query string"))
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Self.response(.notFound(request.uri.path))
        } catch {
            return Self.response(ProblemMiddleware.problem(for: error))
        }
    }

    static func response(_ problem: APIProblem) -> Response {
        Response(status: problem.httpStatus, headers: problem.httpHeaderFields,
                 body: .init(byteBuffer: ByteBuffer(bytes: problem.json)))
    }
}
