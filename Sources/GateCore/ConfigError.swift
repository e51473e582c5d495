import Foundation

/// A bad config file or command-line geometry argument, as one line:
/// `FILE:LINE:COLUMN: key 'gates[0].feeds[1].lines[0].from': x must be between 0 and 1 (got 1.3)`.
/// The message says what is wrong and what to do.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// File path, or the command-line option (e.g. `--line`) the value came from.
    public var file: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?
    /// Dotted key path such as `gates[0].feeds[1].lines[0].from`, when the error is about one key.
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file; self.line = line; self.column = column; self.key = key; self.message = message
    }

    /// Text from the file (keys, values, the path itself) is shown escaped and cut, so a
    /// config cannot put terminal escapes or a 10 MB line on the technician's screen.
    public var description: String {
        var location = TextSafety.echo(file, limit: 300)
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let text = TextSafety.echo(message, limit: 1000)
        if let key { return "\(location): key '\(TextSafety.echo(key, limit: 120))': \(text)" }
        return "\(location): \(text)"
    }
    public var errorDescription: String? { description }
}
