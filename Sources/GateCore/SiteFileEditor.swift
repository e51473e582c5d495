import Foundation

/// Edits a site file as text, so everything the edit does not touch stays as it was (comments,
/// blank lines, quoting, key order): replaces one feed's `lines:` block, or appends a feed to a
/// gate. The result is parsed again by ConfigLoader (the `check-config` rules) and compared with
/// the old file's config plus the intended change: anything else differing refuses the edit.
/// Comments inside the replaced `lines:` block itself go with it.
public enum SiteFileEditor {
    /// The file with feed `feedId`'s counting lines replaced by `lines`.
    public static func replacingLines(in text: String, feedId: String, with lines: [LineConfig], file: String) throws -> String {
        let old = try ConfigLoader.parse(yaml: text, file: file)
        var doc = Document(text)
        let feed = try doc.feedMapping(feedId, file: file)
        guard let key = doc.key("lines", in: feed) else {
            throw ConfigError(file: file, key: "feed \(feedId)", message: "the feed has no `lines:` key to replace; add one by hand or check the file")
        }
        let end = doc.valueEnd(ofKeyAt: key)
        let column = doc.rows[key].keyColumn
        // `lines:` alone (a comment after it kept) heads the new block; a list written on the key's
        // own row (`lines: [{...}]`) goes with the old lines.
        let keyRow = doc.rows[key]
        var block = [keyRow.value.isEmpty ? keyRow.text : String(repeating: " ", count: keyRow.indent) + (keyRow.isItem ? "- " : "") + "lines:"]
        block += lines.flatMap { lineItem($0, indent: column + 2) }
        doc.replace(key..<end, with: block)
        let result = doc.text
        var expected = old
        for g in expected.gates.indices {
            for f in expected.gates[g].feeds.indices where expected.gates[g].feeds[f].id == feedId {
                expected.gates[g].feeds[f].lines = lines
            }
        }
        try check(result, file: file, equals: expected)
        return result
    }

    /// The file with `feed` added as the last feed of gate `gateId`.
    public static func appendingFeed(in text: String, gateId: String, feed: FeedConfig, file: String) throws -> String {
        let old = try ConfigLoader.parse(yaml: text, file: file)
        guard let gi = old.gates.firstIndex(where: { $0.id == gateId }) else {
            throw ConfigError(file: file, message: "gate `\(TextSafety.echo(gateId, limit: 80))` is not in the file; gates: \(old.gates.map(\.id).joined(separator: ", "))")
        }
        var doc = Document(text)
        let gate = try doc.mapping(withId: gateId, having: "feeds", what: "gate", file: file)
        guard let key = doc.key("feeds", in: gate) else {
            throw ConfigError(file: file, key: "gate \(gateId)", message: "the gate has no `feeds:` list; add one by hand")
        }
        let end = doc.valueEnd(ofKeyAt: key)
        // The existing items' indentation, else two more than the key.
        let itemColumn = doc.rows[(key + 1)..<end].first { $0.isItem }.map { $0.keyColumn - 2 } ?? doc.rows[key].keyColumn + 2
        doc.replace(end..<end, with: feedItem(feed, indent: itemColumn))
        let result = doc.text
        var expected = old
        expected.gates[gi].feeds.append(feed)
        try check(result, file: file, equals: expected)
        return result
    }

    /// A new site file holding one gate with `feed` (`gatewatch setup` when there is no site
    /// file yet); the rest (capacity, time zone, alerts) at the defaults, to be edited by hand.
    public static func newSite(name: String, gateId: String, gateName: String, feed: FeedConfig, file: String) throws -> String {
        let text = (["# Written by gatewatch setup; capacity and time_zone are placeholders to set for this site.",
                     "site:", "  name: \(quoted(name))", "  capacity: 1000", "  time_zone: Asia/Ho_Chi_Minh", "",
                     "gates:", "  - id: \(scalar(gateId))", "    name: \(quoted(gateName))", "    feeds:"]
                    + feedItem(feed, indent: 6)).joined(separator: "\n") + "\n"
        let got = try ConfigLoader.parse(yaml: text, file: file)
        guard got.gates.count == 1, got.gates[0].feeds.count == 1, got.gates[0].feeds[0].lines == feed.lines else {
            throw ConfigError(file: file, message: "the new site file would not read back as written; nothing was written")
        }
        return text
    }

    /// Reads the file, edits it with `edit`, and writes the result whole (a temporary file beside
    /// it, then rename) with the file's mode kept; nothing is written when `edit` throws.
    public static func save(path: String, _ edit: (String) throws -> String) throws {
        let text = try ConfigLoader.readText(path: path, what: "site file", notFoundHint: "check the path the runner was started with")
        let result = try edit(text)
        let mode = ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o600
        let temp = path + ".gatewatch-edit"
        guard FileManager.default.createFile(atPath: temp, contents: Data(result.utf8), attributes: [.posixPermissions: mode]),
              rename(temp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temp)
            throw ConfigError(file: path, message: "cannot write the site file: \(why); check that you may write its folder")
        }
    }

    /// The edited file must read as the intended config (positions aside), or nothing is written.
    static func check(_ result: String, file: String, equals expected: SiteConfig) throws {
        let got = try ConfigLoader.parse(yaml: result, file: file)
        func plain(_ c: SiteConfig) -> SiteConfig {
            var c = c
            for g in c.gates.indices { for f in c.gates[g].feeds.indices { c.gates[g].feeds[f].sourcePosition = nil } }
            return c
        }
        guard plain(got) == plain(expected) else {
            throw ConfigError(file: file, message: "the edit would change more than asked (the file's layout is not one this editor knows); nothing was written, edit the file by hand")
        }
    }

    /// A counting line as a list item at `indent`.
    static func lineItem(_ l: LineConfig, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        return ["\(pad)- id: \(scalar(l.id))", "\(pad)  name: \(quoted(l.name))", "\(pad)  from: \(point(l.from))",
                "\(pad)  to: \(point(l.to))", "\(pad)  inside: \(point(l.inside))"]
    }

    /// A feed as a list item at `indent`: what it needs to run, then its lines.
    static func feedItem(_ f: FeedConfig, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent + 2)
        var out = [String(repeating: " ", count: indent) + "- id: \(scalar(f.id))", "\(pad)name: \(quoted(f.name))",
                   "\(pad)source: \(quoted(f.source))"]
        if let fps = f.fps { out.append("\(pad)fps: \(ConfigLoader.fmtNumber(fps))") }
        if f.realtime { out.append("\(pad)realtime: true") }
        if f.loop { out.append("\(pad)loop: true") }
        out.append("\(pad)detector: \(f.detector.rawValue)")
        out.append("\(pad)lines:")
        return out + f.lines.flatMap { lineItem($0, indent: indent + 4) }
    }

    static func point(_ p: Point) -> String { "[\(ConfigLoader.fmtNumber(p.x)), \(ConfigLoader.fmtNumber(p.y))]" }

    /// A YAML double-quoted string (JSON's escapes are valid in it).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02X", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// An id written plain when YAML reads it back as the same string, else quoted.
    static func scalar(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "-" || $0 == "_" || ("0"..."9").contains($0) }
            && s.unicodeScalars.contains { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(s.lowercased())
        return plain ? s : quoted(s)
    }
}

/// The file as rows with their indentation and keys (block-style YAML, what site files are).
struct Document {
    struct Row {
        var text: String
        /// Spaces before the first character.
        var indent: Int
        /// `- key: value` rows.
        var isItem: Bool
        /// Where the key starts (after `- `).
        var keyColumn: Int
        var key: String?
        /// The value without its quotes and trailing comment.
        var value: String
        var isContent: Bool
    }
    var rows: [Row]
    /// Whether the text ended with a newline (kept).
    let finalNewline: Bool

    init(_ text: String) {
        var lines = text.components(separatedBy: "\n")
        finalNewline = lines.last == ""
        if finalNewline { lines.removeLast() }
        rows = lines.map(Self.row)
    }

    var text: String { rows.map(\.text).joined(separator: "\n") + (finalNewline ? "\n" : "") }

    static func row(_ line: String) -> Row {
        let indent = line.prefix { $0 == " " }.count
        var rest = Substring(line.dropFirst(indent))
        let content = !rest.isEmpty && !rest.hasPrefix("#")
        var isItem = false, column = indent
        if rest.hasPrefix("- ") { isItem = true; rest = rest.dropFirst(2); column += 2 + rest.prefix { $0 == " " }.count; rest = rest.drop { $0 == " " } }
        var key: String?, value = ""
        if let colon = rest.range(of: ":"), !rest.hasPrefix("\""), !rest.hasPrefix("'"),
           colon.upperBound == rest.endIndex || rest[colon.upperBound] == " " {
            key = String(rest[..<colon.lowerBound])
            value = Self.unquoted(String(rest[colon.upperBound...]))
        }
        return Row(text: line, indent: indent, isItem: isItem, keyColumn: column, key: key, value: value, isContent: content)
    }

    /// A plain or quoted scalar without its trailing comment.
    static func unquoted(_ raw: String) -> String {
        var v = raw.trimmingCharacters(in: .whitespaces)
        if let q = v.first, q == "\"" || q == "'", let close = v.dropFirst().firstIndex(of: q) {
            return String(v[v.index(after: v.startIndex)..<close])
        }
        if let hash = v.range(of: " #") { v = String(v[..<hash.lowerBound]) }
        return v.trimmingCharacters(in: .whitespaces)
    }

    /// The rows of the mapping that holds the key at row `i`.
    func mapping(around i: Int) -> Range<Int> {
        let c = rows[i].keyColumn
        var start = i
        while !(rows[start].isItem && rows[start].keyColumn == c), start > 0 {
            let above = rows[start - 1]
            if !above.isContent || above.indent > c || (above.indent == c && !above.isItem) || (above.isItem && above.keyColumn == c) {
                start -= 1
            } else { break }
        }
        var end = i + 1, k = i + 1
        while k < rows.count {
            if rows[k].isContent {
                guard rows[k].indent >= c else { break }
                end = k + 1
            }
            k += 1
        }
        return start..<end
    }

    /// The row of `key` directly in the mapping `m`.
    func key(_ key: String, in m: Range<Int>) -> Int? {
        let c = rows[m.lowerBound].keyColumn
        return m.first { rows[$0].isContent && rows[$0].keyColumn == c && rows[$0].key == key }
    }

    /// Past the last row of the value of the key at row `i` (a nested block or list).
    func valueEnd(ofKeyAt i: Int) -> Int {
        let c = rows[i].keyColumn
        var end = i + 1, k = i + 1
        while k < rows.count {
            if rows[k].isContent {
                guard rows[k].indent > c || (rows[k].indent == c && rows[k].isItem) else { break }
                end = k + 1
            }
            k += 1
        }
        return end
    }

    /// The one mapping with `id: ID` and the key `having` (a feed has `source`, a gate `feeds`).
    func mapping(withId id: String, having: String, what: String, file: String) throws -> Range<Int> {
        let found = rows.indices.filter { rows[$0].isContent && rows[$0].key == "id" && rows[$0].value == id }
            .map(mapping(around:)).filter { key(having, in: $0) != nil }
        guard found.count == 1 else {
            throw ConfigError(file: file, message: found.isEmpty
                ? "\(what) `\(TextSafety.echo(id, limit: 80))` is not in the file; check the id"
                : "\(what) `\(TextSafety.echo(id, limit: 80))` appears \(found.count) times; ids must be unique")
        }
        return found[0]
    }

    func feedMapping(_ id: String, file: String) throws -> Range<Int> {
        try mapping(withId: id, having: "source", what: "feed", file: file)
    }

    mutating func replace(_ r: Range<Int>, with lines: [String]) {
        rows.replaceSubrange(r, with: lines.map(Self.row))
    }
}
