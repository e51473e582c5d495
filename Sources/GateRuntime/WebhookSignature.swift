import Crypto
import Foundation
import GateCore

/// The headers of one webhook try. The signature is
/// `X-GateWatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
/// so a receiver checks both the body and its freshness (a replayed old request carries
/// an old `t`). The same as `printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret"`.
public enum WebhookSignature {
    public static let signatureHeader = "X-GateWatch-Signature"
    public static let eventHeader = "X-GateWatch-Event"
    public static let timestampHeader = "X-GateWatch-Timestamp"
    public static let idempotencyHeader = "Idempotency-Key"

    /// Lowercase hex HMAC-SHA256 of "<t>.<body>" under `secret`.
    public static func hmacHex(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func header(secret: WebhookSecret, timestamp: Int64, body: Data) -> String {
        "t=\(timestamp),v1=\(hmacHex(secret: secret.value, timestamp: timestamp, body: body))"
    }

    /// Every header of one try of `event` at `nowMs`.
    public static func headers(seq: Int64, type: String, body: Data, secret: WebhookSecret, nowMs: Int64) -> [(String, String)] {
        let t = nowMs / 1000
        return [("Content-Type", "application/json"),
                ("User-Agent", "GateWatch-Webhooks"),
                (idempotencyHeader, String(seq)),
                (eventHeader, type),
                (timestampHeader, String(t)),
                (signatureHeader, header(secret: secret, timestamp: t, body: body))]
    }

    /// Whether `header` is a valid signature of `body` under `secret` (what a receiver does;
    /// the tests' receiver uses it). Compared in constant time.
    public static func verify(header: String, body: Data, secret: String) -> Bool {
        var t: Int64?, v1: String?
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { t = Int64(kv[1]) } else if kv[0] == "v1" { v1 = kv[1] }
        }
        guard let t, let v1 else { return false }
        let expected = Array(hmacHex(secret: secret, timestamp: t, body: body).utf8), given = Array(v1.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
