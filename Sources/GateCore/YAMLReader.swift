import Foundation
import Yams

/// The one YAML walker, for site files and acceptance scenarios alike. It reads a composed
/// node tree (not a decoded one) so every error names file:line:column and the key, and it
/// takes the allowed keys, required keys, types and number ranges from a `ConfigKey` table.
///
/// One rule for scalars: a number or a true/false written in quotes (`fps: "15"`) is refused
/// with "remove the quotes", in every file, so a value YAML reads as text is never taken
/// for a number in one file and refused in another.
public struct YAMLReader {
    public let file: String
    public let table: [ConfigKey]

    public init(file: String, table: [ConfigKey]) {
        self.file = file; self.table = table
    }

    /// Bounds check, then compose; a syntax error or an empty file is one ConfigError line.
    public static func compose(_ yaml: String, file: String, emptyMessage: String) throws -> Node {
        try YAMLLimits.check(yaml, file: file)   // size and depth before the recursive parser
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw ConfigLoader.syntaxError(e, file: file)
        } catch {
            throw ConfigError(file: file, message: "cannot parse YAML: \(error)")
        }
        guard let root else { throw ConfigError(file: file, line: 1, column: 1, message: emptyMessage) }
        return root
    }

    public func fail(_ node: Node?, _ key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, key: key, message: message)
    }

    static func isNull(_ n: Node) -> Bool {
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    static func isPlain(_ s: Node.Scalar) -> Bool { s.style == .plain || s.style == .any }

    /// The value as the user wrote it, escaped and cut.
    public func describe(_ n: Node) -> String {
        switch n {
        case .mapping: return "a mapping (key: value lines)"
        case .sequence: return "a list"
        case let .scalar(s):
            if Self.isNull(n) { return "nothing" }
            let text = "'\(TextSafety.echo(s.string, limit: 80))'"
            return Self.isPlain(s) ? text : text + " in quotes"
        }
    }

    /// Where the keys of `section` are described.
    public func spec(_ section: String, _ key: String) -> ConfigKey? {
        let path = section.isEmpty ? key : "\(section).\(key)"
        return table.first { $0.path == path }
    }

    // MARK: Structure

    /// A mapping's entries, after checking unknown, duplicate and missing keys against the
    /// table's `section` (`gates[].feeds[]`); `path` is where it is (`gates[0].feeds[1]`).
    public func mapping(_ n: Node, path: String, section: String, example: String) throws -> YAMLEntries {
        guard case let .mapping(m) = n else {
            throw fail(n, path.isEmpty ? nil : path, "expected a mapping (\(example)), got \(describe(n))")
        }
        let keys = ConfigKeys.children(of: section, in: table)
        let allowed = keys.map(\.name)
        var values: [String: Node] = [:]
        for (k, v) in m {
            guard case let .scalar(ks) = k else {
                throw fail(k, path.isEmpty ? nil : path, "keys must be plain words, got \(describe(k))")
            }
            let key = ks.string
            let full = path.isEmpty ? key : "\(path).\(key)"
            if let first = values[key] {
                let at = first.mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw fail(k, full, "appears twice\(at); keep only one")
            }
            guard allowed.contains(key) else {
                var msg = "unknown key"
                if let s = closest(key, in: allowed) { msg += "; did you mean '\(s)'?" }
                throw fail(k, full, msg + " (allowed here: \(allowed.joined(separator: ", ")))")
            }
            values[key] = v
        }
        let e = YAMLEntries(reader: self, node: n, path: path, section: section, values: values)
        for r in keys where r.required && e[r.name] == nil {
            if let v = values[r.name] { throw fail(v, e.child(r.name), "has no value; give one (\(example))") }
            throw fail(n, e.child(r.name), "missing required key; add '\(r.name):' here (\(example))")
        }
        return e
    }

    public func list(_ n: Node, _ path: String, what: String, nonEmpty: Bool) throws -> [Node] {
        guard case let .sequence(s) = n else {
            throw fail(n, path, "expected a list of \(what) (lines starting with '- '), got \(describe(n))")
        }
        let items = Array(s)
        if nonEmpty && items.isEmpty { throw fail(n, path, "the list is empty; add at least one \(what)") }
        return items
    }

    // MARK: Scalars

    /// A scalar that must not be quoted (numbers, true/false): see the rule above.
    func plainScalar(_ n: Node, _ path: String, expected: String) throws -> String {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected \(expected), got \(describe(n))") }
        guard Self.isPlain(s) else { throw fail(n, path, "expected \(expected), got \(describe(n)); remove the quotes") }
        return s.string.trimmingCharacters(in: .whitespaces)
    }

    public func text(_ n: Node, _ path: String, nonEmpty: Bool = true) throws -> String {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected text, got \(describe(n))") }
        let v = s.string.trimmingCharacters(in: .whitespaces)
        if nonEmpty && v.isEmpty { throw fail(n, path, "is empty; give a value") }
        // Names and sources end up on terminals, in reports and in the database: no text of a
        // config may carry escape sequences or line breaks that could rewrite what staff read.
        if TextSafety.needsEscaping(v) {
            throw fail(n, path, "holds control characters or terminal escapes ('\(TextSafety.echo(v, limit: 80))'); write plain text")
        }
        return v
    }

    public func identifier(_ n: Node, _ path: String) throws -> String {
        let v = try text(n, path)
        let ok = v.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        guard ok, v.count <= 64 else {
            throw fail(n, path, "ids may use only letters, digits, '-', '_' and '.' (at most 64), got '\(TextSafety.echo(v, limit: 80))'")
        }
        return v
    }

    /// A number checked against its one range in `Limits` (NaN, infinities, text refused).
    public func number(_ n: Node, _ path: String, _ limit: NumericLimit) throws -> Double {
        let s = try plainScalar(n, path, expected: limit.rangeText)
        switch limit.parse(s) {
        case .success(let v): return v
        case .failure(let e): throw fail(n, path, e.message)
        }
    }

    public func bool(_ n: Node, _ path: String) throws -> Bool {
        switch try plainScalar(n, path, expected: "true or false").lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(n, path, "expected true or false, got \(describe(n))")
        }
    }

    /// `[x, y]`, each checked by the same rule as `--line` and `--inside`.
    public func point(_ n: Node, _ path: String) throws -> Point {
        let example = "[x, y] with x and y between 0 and 1, e.g. [0.5, 0.6]"
        guard case let .sequence(s) = n else { throw fail(n, path, "expected a point \(example), got \(describe(n))") }
        let items = Array(s)
        guard items.count == 2 else { throw fail(n, path, "expected a point \(example), got \(items.count) values") }
        var xy: [Double] = []
        for (item, name) in zip(items, ["x", "y"]) {
            guard case let .scalar(v) = item, Self.isPlain(v) else {
                let quoted = item.scalar != nil ? "; remove the quotes" : ""
                throw fail(item, path, "\(name) must be a number between 0 and 1, got \(describe(item))\(quoted)")
            }
            switch Limits.coordinate(v.string, name: name) {
            case .success(let c): xy.append(c)
            case .failure(let e): throw fail(item, path, e.message)
            }
        }
        return Point(xy[0], xy[1])
    }

    /// One of `values` (case ignored), with did-you-mean.
    public func choice(_ n: Node, _ path: String, noun: String, _ values: [String]) throws -> String {
        let written = try text(n, path), s = written.lowercased()
        guard values.contains(s) else {
            var msg = "unknown \(noun) '\(TextSafety.echo(written, limit: 40))'"
            if let c = closest(s, in: values) { msg += "; did you mean '\(c)'?" }
            throw fail(n, path, msg + " (choose one of \(values.joined(separator: ", ")))")
        }
        return s
    }
}

/// The entries of one mapping, read by key with the type and range the table gives the key.
public struct YAMLEntries {
    public let reader: YAMLReader
    public let node: Node
    public let path: String
    public let section: String
    let values: [String: Node]

    public func child(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    /// The value, or nil when absent or null.
    public subscript(_ k: String) -> Node? {
        guard let v = values[k], !YAMLReader.isNull(v) else { return nil }
        return v
    }

    /// How many keys have a value.
    public var count: Int { values.keys.filter { self[$0] != nil }.count }

    /// The table's kind of `k` in this section; a key missing from the table is a programming error.
    func kind(_ k: String) -> ConfigKey.Kind {
        guard let s = reader.spec(section, k) else { preconditionFailure("key '\(section).\(k)' is not in the key table") }
        return s.kind
    }

    public func text(_ k: String) throws -> String? { try self[k].map { try reader.text($0, child(k)) } }
    public func identifier(_ k: String) throws -> String? { try self[k].map { try reader.identifier($0, child(k)) } }
    public func bool(_ k: String) throws -> Bool? { try self[k].map { try reader.bool($0, child(k)) } }
    public func point(_ k: String) throws -> Point? { try self[k].map { try reader.point($0, child(k)) } }

    /// A number within the range the table gives the key.
    public func number(_ k: String) throws -> Double? {
        guard case .number(let limit) = kind(k) else { preconditionFailure("'\(k)' is not a number key") }
        return try self[k].map { try reader.number($0, child(k), limit) }
    }

    /// A whole number within its range; the conversion to Int cannot trap.
    public func whole(_ k: String) throws -> Int? {
        guard case .number(let limit) = kind(k) else { preconditionFailure("'\(k)' is not a number key") }
        return try number(k).map { limit.wholeValue($0) }
    }

    public func choice(_ k: String) throws -> String? {
        guard case let .choice(noun, values) = kind(k) else { preconditionFailure("'\(k)' is not a choice key") }
        return try self[k].map { try reader.choice($0, child(k), noun: noun, values) }
    }

    /// One value or a list of values, each one of the key's choices; repeats dropped.
    public func choices(_ k: String) throws -> [String]? {
        guard case let .choices(noun, values) = kind(k) else { preconditionFailure("'\(k)' is not a choices key") }
        guard let n = self[k] else { return nil }
        let items: [Node]
        if case let .sequence(s) = n { items = Array(s) } else { items = [n] }
        var out: [String] = []
        for item in items {
            let v = try reader.choice(item, child(k), noun: noun, values)
            if !out.contains(v) { out.append(v) }
        }
        return out
    }
}
