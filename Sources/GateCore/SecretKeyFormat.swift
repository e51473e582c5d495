import Crypto
import Foundation

/// The one format of the keys GateWatch hands out: API keys (`gwk_`) and the hub's site keys
/// (`gws_`). A key is `<lead><prefix>_<secret>`: 4 random bytes as 8 hex digits, then 32
/// random bytes in base64url. The secret has 256 bits, so a plain SHA-256 of the key is a
/// safe record of it (no password stretching needed), and the prefix finds the row without
/// the secret. Stores keep only the prefix and the hash; the key is shown once.
public struct SecretKeyFormat: Sendable {
    public let lead: String
    /// Longest text taken as a presented key (a real one is 56 characters).
    public static let maxPresented = 128

    public init(lead: String) { self.lead = lead }

    public static let apiKey = SecretKeyFormat(lead: "gwk_")
    public static let siteKey = SecretKeyFormat(lead: "gws_")

    public func make() -> (prefix: String, key: String) {
        var generator = SystemRandomNumberGenerator()
        let prefix = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let text = secret.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (prefix, lead + prefix + "_" + text)
    }

    public static func hash(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    /// The prefix of a presented key, nil when the text cannot be a key of this format.
    public func prefix(of presented: String) -> String? {
        guard presented.utf8.count <= Self.maxPresented, presented.hasPrefix(lead) else { return nil }
        let parts = presented.dropFirst(lead.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 8, parts[0].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[0])
    }

    /// Equal digests, in time independent of where they differ.
    public static func sameDigest(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// 1 to 64 letters, digits, '-', '_' or '.': the names of API keys and hub sites.
    public static func validName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}
