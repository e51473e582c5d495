import Foundation
import Yams

/// Who may read `/metrics`: anyone who can reach the port, or only a consumer with a key.
public enum MetricsAccess: String, Sendable, Equatable, CaseIterable {
    /// A `read` key is needed (the default: the figures are the site's visitor statistics).
    case key
    /// No key: for a Prometheus on a trusted network that cannot send one.
    case open
}

/// What an API key may do. `ack` includes `read`.
public enum APIKeyScope: String, Sendable, Equatable, CaseIterable {
    case read, ack

    /// Whether a key of this scope may do what `needed` asks.
    public func allows(_ needed: APIKeyScope) -> Bool { self == .ack || needed == .read }
}

/// The site HTTP API's settings, one struct for `gatewatch serve`'s flags and the site file's
/// `api:` section (where `gatewatch run` serves the API in-process).
public struct APISettings: Sendable, Equatable {
    public static let defaultListen = "127.0.0.1:8080"

    public var host: String
    public var port: Int
    public var metrics: MetricsAccess
    /// PEM certificate (chain) and private key; both or neither. Relative paths are resolved
    /// against the site file's folder (see `resolvingPaths`).
    public var tlsCert: String?
    public var tlsKey: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, metrics: MetricsAccess = .key,
                tlsCert: String? = nil, tlsKey: String? = nil) {
        self.host = host; self.port = port; self.metrics = metrics; self.tlsCert = tlsCert; self.tlsKey = tlsKey
    }

    public var usesTLS: Bool { tlsCert != nil }

    /// `http(s)://host:port`, the host in brackets when it is an IPv6 address.
    public func baseURL(port bound: Int? = nil) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return (usesTLS ? "https" : "http") + "://\(shown):\(bound ?? port)"
    }

    /// `host:port` (IPv6 in brackets); nil when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    public static let listenUsage = "write host:port, e.g. 127.0.0.1:8080 (0.0.0.0:8080 for every interface)"

    /// What is wrong with the TLS pair as given (one of the two alone), nil when fine.
    public static func tlsPairProblem(cert: String?, key: String?, certName: String, keyName: String) -> String? {
        switch (cert, key) {
        case (.some, nil): return "\(certName) is given without \(keyName); give both (the PEM certificate and its private key) or neither"
        case (nil, .some): return "\(keyName) is given without \(certName); give both (the PEM certificate and its private key) or neither"
        default: return nil
        }
    }

    /// The same settings with relative TLS paths taken from `folder` (the site file's).
    public func resolvingPaths(against folder: String) -> APISettings {
        func resolve(_ p: String?) -> String? {
            guard let p, !p.hasPrefix("/"), !p.hasPrefix("~") else { return p.map { ($0 as NSString).expandingTildeInPath } }
            return (folder as NSString).appendingPathComponent(p)
        }
        var s = self
        s.tlsCert = resolve(tlsCert); s.tlsKey = resolve(tlsKey)
        return s
    }
}

extension ConfigKeys {
    /// The keys of the site file's `api:` section.
    static let api: [ConfigKey] = [
        ConfigKey("api", .section, default: "no API in `run`",
                  "serve the site HTTP API from `gatewatch run` itself (the same API as `gatewatch serve`); every request but /healthz and /v1/openapi.yaml needs a key from `gatewatch api-key add`"),
        ConfigKey("api.listen", .text, default: APISettings.defaultListen, "address and port to listen on (host:port)"),
        ConfigKey("api.metrics", .choice(noun: "metrics access", MetricsAccess.allCases.map(\.rawValue)), default: MetricsAccess.key.rawValue,
                  "key: /metrics needs a read key like the rest of the API (the figures are visitor statistics); open: no key, for a scraper on a trusted network"),
        ConfigKey("api.tls_cert", .text, default: "plain HTTP",
                  "PEM certificate (chain) file for HTTPS, relative to the site file's folder; needs tls_key"),
        ConfigKey("api.tls_key", .text, default: "plain HTTP", "PEM private key file of tls_cert"),
    ]
}

extension YAMLReader {
    /// The `api:` section, each bad value one line naming the key.
    func apiSettings(_ n: Node) throws -> APISettings {
        let e = try mapping(n, path: "api", section: "api", example: "listen: 127.0.0.1:8080, metrics: key")
        var s = APISettings()
        if let listenNode = e["listen"] {
            let text = try self.text(listenNode, e.child("listen"))
            guard let address = APISettings.parseListen(text) else {
                throw fail(listenNode, e.child("listen"), "'\(TextSafety.echo(text, limit: 60))' is not host:port; \(APISettings.listenUsage)")
            }
            s.host = address.host; s.port = address.port
        }
        if let m = try e.choice("metrics") { s.metrics = MetricsAccess(rawValue: m) ?? .key }
        s.tlsCert = try e.text("tls_cert")
        s.tlsKey = try e.text("tls_key")
        let pairKey = s.tlsCert == nil ? "tls_key" : "tls_cert"
        if let problem = APISettings.tlsPairProblem(cert: s.tlsCert, key: s.tlsKey, certName: "tls_cert", keyName: "tls_key") {
            throw fail(e[pairKey], e.child(pairKey), problem)
        }
        return s
    }
}
