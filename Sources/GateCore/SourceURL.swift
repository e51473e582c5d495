import Foundation

/// Static checks of a network source URL (rtsp://, http(s)://, ...), without any I/O: a URL
/// that FFmpeg can only refuse at run time (no host, `http://[::1`, port 99999, spaces) is
/// refused by check-config first. Messages show the URL redacted.
public enum SourceURL {
    /// Why the URL is malformed, or nil when it is well-formed.
    public static func problem(_ url: String) -> String? {
        let shown = TextSafety.echo(redactedURL(url), limit: 120)
        guard let schemeEnd = url.range(of: "://") else { return "'\(shown)' is not a URL (scheme://host/...)" }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        if let bad = url.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            return "'\(shown)' contains \(bad == " " ? "a space" : "a control character"); percent-encode it (a space is %20)"
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        if let at = userinfoEnd(rest) { rest = rest[rest.index(after: at)...] }
        let end = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        let authority = rest[..<end]
        var host = authority, port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return "'\(shown)': the IPv6 address has no closing ']'; write it as [address]:port"
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "'\(shown)': after ']' only ':port' may follow" }
                port = after.dropFirst()
            }
            let ipv6 = CharacterSet(charactersIn: "0123456789abcdefABCDEF:.%").union(.alphanumerics)
            guard host.contains(":"), host.unicodeScalars.allSatisfy({ ipv6.contains($0) }) else {
                return "'\(shown)': '[\(host)]' is not an IPv6 address"
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            let allowed = CharacterSet(charactersIn: "-._~%").union(.alphanumerics)
            if host.isEmpty && scheme != "udp" {
                return "'\(shown)' has no host; write \(scheme)://HOST[:PORT]/PATH"
            }
            guard host.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
                return "'\(shown)': '\(TextSafety.echo(String(host), limit: 60))' is not a host name or address"
            }
        }
        if let port {
            guard let p = Int(port), (1...65_535).contains(p), port.allSatisfy(\.isASCII) else {
                return "'\(shown)': port '\(TextSafety.echo(String(port), limit: 20))' must be a number between 1 and 65535"
            }
        }
        return nil
    }
}
