import Foundation

/// Bounds on a YAML file checked BEFORE it is parsed: the parser recurses once per level of
/// nesting, so a file nested thousands deep (block or flow, closed or not) would overflow
/// the stack and kill the process instead of getting an error line. A site file is a few
/// kilobytes nested about eight deep; these limits leave ample room.
public enum YAMLLimits {
    public static let maxBytes = 1 << 20          // 1 MiB
    public static let maxDepth = 64

    /// Throws one ConfigError line (file, what, the limit) when the text is too large or
    /// nested too deep; otherwise returns quietly. Linear in the text, no recursion.
    public static func check(_ yaml: String, file: String) throws {
        let size = yaml.utf8.count
        if size > maxBytes {
            throw ConfigError(file: file, message: "file is \(size) bytes, more than the \(maxBytes) a YAML file may have here; is it the right file?")
        }
        if let (line, column, depth) = tooDeep(yaml) {
            throw ConfigError(file: file, line: line, column: column,
                              message: "nested more than \(maxDepth) levels deep (\(depth) here); a site file needs about 8, check for unclosed [ or { or runaway indentation")
        }
    }

    /// Position and depth of the first place deeper than `maxDepth`, counting block levels
    /// (indentation steps and '- ' entries) plus flow brackets outside quotes and comments.
    static func tooDeep(_ yaml: String) -> (Int, Int, Int)? {
        var indents: [Int] = []       // block levels of the current line
        var flow = 0                  // open [ and { (they may span lines)
        var lineNo = 0
        for rawLine in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let chars = Array(rawLine.utf8)
            var i = 0
            while i < chars.count && (chars[i] == 32 || chars[i] == 9) { i += 1 }
            if i == chars.count || chars[i] == UInt8(ascii: "#") || chars[i] == 13 { continue }
            if flow == 0 {
                while let last = indents.last, last >= i { indents.removeLast() }
                indents.append(i)
                // "- - - x": each entry indicator opens one more level on the same line.
                while i + 1 < chars.count && chars[i] == UInt8(ascii: "-") && (chars[i + 1] == 32 || chars[i + 1] == 9) {
                    i += 2
                    while i < chars.count && chars[i] == 32 { i += 1 }
                    indents.append(i)
                }
                if indents.count > maxDepth { return (lineNo, i + 1, indents.count) }
            }
            var quote: UInt8 = 0
            var prev: UInt8 = 0      // last non-blank character before i on this line (0: none)
            while i < chars.count {
                let c = chars[i]
                defer { if c != 32 && c != 9 { prev = c } }
                if quote != 0 {
                    if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { i += 1 }
                    else if c == quote { quote = 0 }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    // A quote opens a string only where a scalar can start, not inside a word (it's).
                    if i == 0 || " \t[{,:".utf8.contains(chars[i - 1]) { quote = c }
                } else if c == UInt8(ascii: "#") && (i == 0 || chars[i - 1] == 32 || chars[i - 1] == 9) {
                    break
                } else if (c == UInt8(ascii: "[") || c == UInt8(ascii: "{")) && (prev == 0 || "-:,[{?".utf8.contains(prev)) {
                    // Only where a value may start: '[' inside a plain word (a[b) opens nothing.
                    flow += 1
                    if indents.count + flow > maxDepth { return (lineNo, i + 1, indents.count + flow) }
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    flow = max(0, flow - 1)
                }
                i += 1
            }
        }
        return nil
    }
}
