import Foundation
import GateCore
import GateStore
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore

/// The API key of the request being handled, by name (never the key): set by `AccessGuard`
/// around the handlers, read by the acknowledge handler for its audit record.
enum APIRequestKey {
    @TaskLocal static var name: String?
}

/// Every request but the open ones needs a key: `Authorization: Bearer <key>` or
/// `X-API-Key: <key>`. None, an unknown or a revoked one gets 401 with `WWW-Authenticate:
/// Bearer`; a valid key without the scope gets 403. Checked against the database at each
/// request, so `gatewatch api-key revoke` takes effect at once, also in another process.
/// The key is never echoed, logged or stored; only its name is.
package struct AccessGuard<Context: RequestContext>: RouterMiddleware {
    let database: GateDatabase
    let metrics: MetricsAccess
    let logger: Logger
    let uses = KeyUses()

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let needed = Self.scopeNeeded(path: request.uri.path, method: request.method, metrics: metrics) else {
            return try await next(request, context)
        }
        guard let presented = Self.presentedKey(request.headers) else {
            return Self.unauthorized("no API key was sent; send `Authorization: Bearer <key>` (or `X-API-Key: <key>`) with a key from `gatewatch api-key add NAME --scope read`")
        }
        let check: APIKeyCheck
        do { check = try StoreQueries(database).checkAPIKey(presented) } catch {
            return RequestGuard<Context>.response(ProblemMiddleware.problem(for: error))
        }
        switch check {
        case .unknown:
            return Self.unauthorized("the API key sent is not one of this site's keys; check it was copied whole (gwk_...), or ask for one (`gatewatch api-key add NAME`)")
        case .revoked(let name):
            return Self.unauthorized("API key '\(name)' has been revoked; ask the site for a new key")
        case let .valid(name, scope):
            guard scope.allows(needed) else {
                return RequestGuard<Context>.response(APIProblem(
                    slug: "scope-not-granted", title: "Scope not granted", status: 403,
                    detail: "API key '\(name)' has scope \(scope.rawValue); this needs \(needed.rawValue) (`gatewatch api-key add NAME --scope \(needed.rawValue)`)"))
            }
            noteUse(of: name)
            return try await APIRequestKey.$name.withValue(name) { try await next(request, context) }
        }
    }

    /// The scope a request needs; nil for the open ones (/healthz, the contract, /metrics when open).
    static func scopeNeeded(path: String, method: HTTPRequest.Method, metrics: MetricsAccess) -> APIKeyScope? {
        switch path {
        case "/healthz", "/v1/openapi.yaml": return nil
        case "/metrics": return metrics == .open ? nil : .read
        default: return isAcknowledge(path) && method == .post ? .ack : .read
        }
    }

    /// `/v1/alerts/{id}/acknowledge`, the one route that takes POST.
    package static func isAcknowledge(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0].isEmpty && parts[1] == "v1" && parts[2] == "alerts" && !parts[3].isEmpty
            && parts[4] == "acknowledge"
    }

    /// The key from `Authorization: Bearer` (scheme in any case) or `X-API-Key`; nil when neither holds one.
    package static func presentedKey(_ headers: HTTPFields) -> String? {
        if let auth = headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = parts[1].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { return key }
            }
        }
        if let name = HTTPField.Name("X-API-Key"), let key = headers[name]?.trimmingCharacters(in: .whitespaces), !key.isEmpty {
            return key
        }
        return nil
    }

    package static func unauthorized(_ detail: String) -> Response {
        var response = RequestGuard<Context>.response(APIProblem(slug: "unauthorized", title: "API key needed", status: 401, detail: detail))
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    /// Last use is written at most once a minute a key, off the request's path: a write per
    /// request would contend with the runner's at the load the API is sized for.
    private func noteUse(of name: String) {
        let now = currentTimeMs()
        guard uses.due(name, now: now) else { return }
        let database = database, logger = logger, uses = uses
        Task.detached(priority: .utility) {
            do { try database.noteAPIKeyUse(name: name, at: now) } catch {
                if uses.firstFailure() {
                    logger.warning("cannot note when API keys were last used (requests are still served): \(error)")
                }
            }
        }
    }
}

/// When each key's last use was last written, for `AccessGuard.noteUse`.
final class KeyUses: @unchecked Sendable {
    static let intervalMs: Int64 = 60_000
    private let lock = NSLock()
    private var noted: [String: Int64] = [:]
    private var failed = false

    func due(_ name: String, now: Int64) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if let last = noted[name], now - last < Self.intervalMs { return false }
        noted[name] = now
        return true
    }

    /// True the first time only: a read-only server says once that it cannot write, not every minute.
    func firstFailure() -> Bool {
        lock.lock(); defer { lock.unlock() }
        defer { failed = true }
        return !failed
    }
}

/// HTTPS from PEM files: each problem (missing, unreadable, not PEM) is one line naming the file.
public enum ServerTLS {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    public static func configuration(cert: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(try bytes(cert, what: "TLS certificate")) } catch let f as Failure { throw f } catch {
            throw Failure(description: "TLS certificate \(cert): not a PEM certificate (-----BEGIN CERTIFICATE-----); give the certificate file, not the key or a DER file")
        }
        guard !chain.isEmpty else {
            throw Failure(description: "TLS certificate \(cert): holds no certificate; give the PEM certificate (chain) file")
        }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(bytes: try bytes(key, what: "TLS key"), format: .pem) } catch let f as Failure { throw f } catch {
            throw Failure(description: "TLS key \(key): not a PEM private key (unencrypted, -----BEGIN PRIVATE KEY-----); give the key file of the certificate")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }

    private static func bytes(_ path: String, what: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Failure(description: "\(what) \(path): file does not exist; check the path (relative paths in the site file start at its folder)")
        }
        guard !isDir.boolValue else { throw Failure(description: "\(what) \(path): is a directory; give the PEM file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(what) \(path): cannot be read by this user; fix its permissions (the key: 0600, owned by the user that serves)")
        }
        guard data.count <= 1 << 20 else { throw Failure(description: "\(what) \(path): is \(data.count) bytes, not a PEM file; check the path") }
        return Array(data)
    }
}
