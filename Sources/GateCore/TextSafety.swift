import Foundation

/// Text that came from a config file, a flag or a camera (a source URL, a name, a YAML value)
/// is shown through here wherever it is echoed into an error, a log line, a report or the
/// console: control characters and terminal escape sequences are shown escaped (`\e[31m`,
/// `\r`, `\n`), so a config cannot recolour, rewrite or forge lines on the technician's
/// terminal, and a long value is cut so one bad value cannot make a 10 MB line.
public enum TextSafety {
    /// The most characters of one value echoed into a message.
    public static let defaultEchoLimit = 200

    /// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators and
    /// bidirectional overrides, written as visible escapes. Everything else is kept.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if let e = escaped(s) { out.append(contentsOf: e.unicodeScalars) } else { out.append(s) }
        }
        return String(out)
    }

    /// `escape`, cut to `limit` characters with a note of how much was left out.
    public static func echo(_ text: String, limit: Int = defaultEchoLimit) -> String {
        // Cut before escaping so a huge value costs O(limit), not O(size).
        var count = 0
        var end = text.startIndex
        while end < text.endIndex && count < limit { text.formIndex(after: &end); count += 1 }
        guard end < text.endIndex else { return escape(text) }
        let rest = text.utf8.count - text[..<end].utf8.count
        return escape(String(text[..<end])) + "…(\(rest) more bytes)"
    }

    /// True when `escape` would change the text.
    public static func needsEscaping(_ text: String) -> Bool {
        text.unicodeScalars.contains { escaped($0) != nil }
    }

    private static func escaped(_ s: Unicode.Scalar) -> String? {
        switch s.value {
        case 0x1B: return "\\e"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F:
            return String(format: "\\u{%X}", s.value)
        default:
            return nil
        }
    }
}
