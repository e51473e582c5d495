import Foundation

/// Hides the secrets of a camera URL before it reaches a log, the console, the database
/// or a report: the password of `rtsp://user:pass@host/...` (which may itself hold '@')
/// and the values of credential parameters in the query (`?user=admin&pwd=...`).
/// The one redaction helper; the pipeline keeps the real URL to connect.
public func redactedURL(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://") else { return url }
    let head = url[..<schemeEnd.upperBound]
    var rest = Substring(url[schemeEnd.upperBound...])
    var userinfo: Substring?
    if let at = userinfoEnd(rest) {
        userinfo = rest[..<at]
        rest = rest[rest.index(after: at)...]
    }
    var out = String(head)
    if let userinfo {
        if let colon = userinfo.firstIndex(of: ":") { out += userinfo[..<colon] + ":***@" } else { out += userinfo + "@" }
    }
    return out + redactedQuery(rest)
}

/// Query parameters whose values are secrets (compared lowercased, '-' as '_').
let secretParameters: Set<String> = ["password", "passwd", "pwd", "pass", "passphrase", "token", "key", "auth",
                                      "secret", "apikey", "api_key", "access_token", "auth_token", "sig",
                                      "signature", "credential", "credentials", "session", "sessionid"]

private func isSecretParameter(_ name: Substring) -> Bool {
    let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
    return secretParameters.contains(n) || ["password", "token", "secret", "_key", "apikey"].contains { n.hasSuffix($0) }
}

/// The '@' that ends the userinfo: the first one whose host part (up to '/', '?' or '#')
/// holds no further '@'. So `admin:p@ssW0rd@10.0.0.5/s` splits before `10.0.0.5`, and an
/// '@' later in the path or query is not taken for one.
func userinfoEnd(_ rest: Substring) -> Substring.Index? {
    var i = rest.startIndex
    while let at = rest[i...].firstIndex(of: "@") {
        let afterAt = rest.index(after: at)
        let hostEnd = rest[afterAt...].firstIndex { "/?#".contains($0) } ?? rest.endIndex
        if !rest[afterAt..<hostEnd].contains("@") { return at }
        i = afterAt
    }
    return nil
}

/// Host and path kept; in the query (and fragment), each secret parameter's value becomes ***.
private func redactedQuery(_ s: Substring) -> String {
    guard let q = s.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return String(s) }
    var out = String(s[...q])
    var first = true
    for part in s[s.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false) {
        if !first { out += "&" }
        first = false
        if let eq = part.firstIndex(of: "="), isSecretParameter(part[..<eq]) {
            out += part[...eq] + "***"
        } else {
            out += part
        }
    }
    return out
}
