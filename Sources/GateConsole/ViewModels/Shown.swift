import Foundation
import GateCore
import GateStore

/// Text from the database as the console shows it: camera credentials hidden, whatever an
/// older pipeline stored. Every URL goes through the one redaction helper (`redactedURL`).
enum Shown {
    /// Each `scheme://…` in `text` redacted; the rest unchanged.
    static func masked(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let sep = rest.range(of: "://") {
            // The scheme: letters, digits, + - . before "://".
            var start = sep.lowerBound
            while start > rest.startIndex {
                let c = rest[rest.index(before: start)]
                guard c.isASCII, c.isLetter || c.isNumber || "+-.".contains(c) else { break }
                start = rest.index(before: start)
            }
            // The URL ends at white space or a quote/bracket that cannot be part of it.
            let end = rest[sep.upperBound...].firstIndex { $0.isWhitespace || "\"'<>`".contains($0) } ?? rest.endIndex
            out += rest[..<start]
            out += redactedURL(String(rest[start..<end]))
            rest = rest[end...]
        }
        return out + rest
    }
}

extension FeedVM {
    /// The source as shown and searched: no camera password.
    var shownSource: String { Shown.masked(feed.source) }
}

extension FeedHealth {
    /// The feed's last error as shown: a URL in it loses its password.
    var shownError: String? { lastError.map(Shown.masked) }
}
