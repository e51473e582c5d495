import Foundation
import Yams

/// Reads a site's YAML file into a validated `SiteConfig`.
///
/// The YAML is composed into a node tree (not decoded), so every error can
/// name the line and column of the offending node. The first error found is
/// thrown as a `ConfigError`.
public enum ConfigLoader {
    public static let defaultTimeZone = "Asia/Ho_Chi_Minh"

    /// Reads and parses a config file. This is the only I/O in GateCore.
    public static func load(path: String) throws -> SiteConfig {
        let text = try readText(path: path, what: "config file",
                                notFoundHint: "check the path (see samples/demo-site.yaml for an example)")
        return try parse(yaml: text, file: path)
    }

    /// Reads a YAML file (site config, acceptance scenario) as UTF-8 text; every failure
    /// is one ConfigError line naming the file and what to do.
    public static func readText(path: String, what: String, notFoundHint: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(file: path, message: "\(what) not found; \(notFoundHint)")
        }
        guard !isDir.boolValue else {
            throw ConfigError(file: path, message: "is a directory, not a \(what); give the path of a .yaml file")
        }
        // Refuse a huge file before reading it all (a device or a log given by mistake).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLLimits.maxBytes {
            throw ConfigError(file: path, message: "\(what) is \(size) bytes, more than the \(YAMLLimits.maxBytes) allowed; is it the right file?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the \(what); check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, message: "\(what) is not UTF-8 text; save it as UTF-8")
        }
        return text
    }

    /// Parses YAML text; `file` is only used in error messages.
    public static func parse(yaml: String, file: String = "<config>") throws -> SiteConfig {
        return try parseLocated(yaml: yaml, file: file).config
    }

    /// `load`, also telling where each feed's `source:` is written, so a source problem found
    /// later (missing file, bad URL) can name the feed and file:line:column.
    public static func loadLocated(path: String) throws -> LocatedConfig {
        let text = try readText(path: path, what: "config file",
                                notFoundHint: "check the path (see samples/demo-site.yaml for an example)")
        return try parseLocated(yaml: text, file: path)
    }

    public static func parseLocated(yaml: String, file: String = "<config>") throws -> LocatedConfig {
        try YAMLLimits.check(yaml, file: file)   // before the recursive parser sees it
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let e as YamlError {
            throw syntaxError(e, file: file)
        } catch {
            throw ConfigError(file: file, message: "cannot parse YAML: \(error)")
        }
        guard let root else {
            throw ConfigError(file: file, line: 1, column: 1,
                              message: "config is empty; it needs at least 'site' and 'gates' (see samples/demo-site.yaml)")
        }
        let walker = Walker(file: file)
        let config = try walker.site(root)
        return LocatedConfig(config: config, file: file, sources: walker.found.sources)
    }

    // MARK: Command-line geometry

    /// Parses `X1,Y1,X2,Y2` (normalised 0…1) as given to `--line`.
    public static func parseLineArgument(_ text: String, option: String = "--line") throws -> (from: Point, to: Point) {
        let v = try numbers(text, count: 4, names: ["x1", "y1", "x2", "y2"], option: option, form: "X1,Y1,X2,Y2")
        let from = Point(v[0], v[1]), to = Point(v[2], v[3])
        guard from.distance(to: to) >= minLineLength else {
            throw ConfigError(file: option, message: "the line's two ends are the same point (or nearly); give two different points X1,Y1,X2,Y2")
        }
        return (from, to)
    }

    /// Parses `X,Y` (normalised 0…1) as given to `--inside`.
    public static func parsePointArgument(_ text: String, option: String = "--inside") throws -> Point {
        let v = try numbers(text, count: 2, names: ["x", "y"], option: option, form: "X,Y")
        return Point(v[0], v[1])
    }

    /// Builds a counting line from `--line` and `--inside` arguments, checking the inside point is off the line.
    public static func lineFromArguments(line: String, inside: String, id: String = "line",
                                         name: String = "line") throws -> LineConfig {
        let (from, to) = try parseLineArgument(line)
        let p = try parsePointArgument(inside)
        if let problem = insideProblem(from: from, to: to, inside: p) {
            throw ConfigError(file: "--inside", message: problem)
        }
        return LineConfig(id: id, name: name, from: from, to: to, inside: p)
    }

    // MARK: Shared rules

    static let minLineLength = 0.01
    static let minInsideDistance = 0.01

    /// Why `inside` cannot tell the sides of the line apart, or nil when it can.
    public static func insideProblem(from: Point, to: Point, inside: Point) -> String? {
        let g = LineGeometry(from: from, to: to, inside: inside)
        let d = abs(g.signedDistance(inside))
        guard d < minInsideDistance else { return nil }
        return String(format: "inside point (%g, %g) lies on the line (%.3f away); move it to the side people enter toward",
                      inside.x, inside.y, d)
    }

    private static func numbers(_ text: String, count: Int, names: [String], option: String, form: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == count else {
            throw ConfigError(file: option, message: "expected \(count) numbers \(form) separated by commas (got '\(TextSafety.echo(text, limit: 80))')")
        }
        var out: [Double] = []
        for (i, p) in parts.enumerated() {
            guard let v = Double(p), v.isFinite else {
                throw ConfigError(file: option, message: "\(names[i]) is not a number (got '\(TextSafety.echo(p, limit: 40))'); give \(form) in 0..1")
            }
            guard v >= 0 && v <= 1 else {
                throw ConfigError(file: option, message: "\(names[i]) must be between 0 and 1 (got \(fmt(v))); coordinates are shares of the frame, origin top-left")
            }
            out.append(v)
        }
        return out
    }

    static func fmt(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// One ConfigError line (with line:column) for a Yams syntax error; also used by other YAML readers.
    public static func syntaxError(_ e: YamlError, file: String) -> ConfigError {
        func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var msg = "YAML syntax error: \(trim(problem))"
            if let context { msg += " (\(trim(context.text)) at \(context.mark.line):\(context.mark.column))" }
            return ConfigError(file: file, line: mark.line, column: mark.column,
                               message: msg + "; check indentation, colons and quotes")
        case let .reader(problem, offset, _, _):
            return ConfigError(file: file, message: "cannot read YAML: \(trim(problem))\(offset.map { " at byte \($0)" } ?? ""); save the file as UTF-8 text")
        default:
            return ConfigError(file: file, message: "YAML error: \(trim(e.description))")
        }
    }
}

/// Walks the composed node tree, validating as it goes.
private struct Walker {
    let file: String
    /// What the walk records besides the config (a class: the walk functions are non-mutating).
    final class Found { var sources: [String: LocatedConfig.Place] = [:] }
    let found = Found()

    func fail(_ node: Node?, _ key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, key: key, message: message)
    }

    // MARK: Structure

    /// A mapping's entries by key, after checking for unknown, duplicate and missing keys.
    struct Entries {
        let node: Node
        let path: String
        var values: [String: Node]
        func child(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }
        /// The value, or nil when absent or null.
        subscript(_ k: String) -> Node? {
            guard let v = values[k], !Walker.isNull(v) else { return nil }
            return v
        }
    }

    static func isNull(_ n: Node) -> Bool {
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    func describe(_ n: Node) -> String {
        switch n {
        case .mapping: return "a mapping (key: value lines)"
        case .sequence: return "a list"
        case let .scalar(s):
            if Walker.isNull(n) { return "nothing" }
            return s.style == .plain || s.style == .any ? "'\(TextSafety.echo(s.string, limit: 80))'" : "'\(TextSafety.echo(s.string, limit: 80))' in quotes"
        }
    }

    func mapping(_ n: Node, _ path: String, allowed: [String], required: [String], example: String) throws -> Entries {
        guard case let .mapping(m) = n else {
            throw fail(n, path.isEmpty ? nil : path, "expected a mapping (\(example)), got \(describe(n))")
        }
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
                msg += " (allowed here: \(allowed.joined(separator: ", ")))"
                throw fail(k, full, msg)
            }
            values[key] = v
        }
        let e = Entries(node: n, path: path, values: values)
        for r in required where e[r] == nil {
            if let v = values[r] {
                throw fail(v, e.child(r), "has no value; give one (\(example))")
            }
            throw fail(n, e.child(r), "missing required key; add '\(r):' here (\(example))")
        }
        return e
    }

    func list(_ n: Node, _ path: String, what: String, nonEmpty: Bool) throws -> [Node] {
        guard case let .sequence(s) = n else {
            throw fail(n, path, "expected a list of \(what) (lines starting with '- '), got \(describe(n))")
        }
        let items = Array(s)
        if nonEmpty && items.isEmpty { throw fail(n, path, "the list is empty; add at least one \(what)") }
        return items
    }

    // MARK: Scalars

    func plainScalar(_ n: Node, _ path: String, expected: String) throws -> String {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected \(expected), got \(describe(n))") }
        guard s.style == .plain || s.style == .any else {
            throw fail(n, path, "expected \(expected), got \(describe(n)); remove the quotes")
        }
        return s.string.trimmingCharacters(in: .whitespaces)
    }

    func string(_ n: Node, _ path: String, nonEmpty: Bool = true) throws -> String {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected text, got \(describe(n))") }
        let v = s.string.trimmingCharacters(in: .whitespaces)
        if nonEmpty && v.isEmpty { throw fail(n, path, "is empty; give a value") }
        return v
    }

    func identifier(_ n: Node, _ path: String) throws -> String {
        let v = try string(n, path)
        let ok = v.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        guard ok, v.count <= 64 else {
            throw fail(n, path, "ids may use only letters, digits, '-', '_' and '.' (at most 64), got '\(TextSafety.echo(v, limit: 80))'")
        }
        return v
    }

    func double(_ n: Node, _ path: String) throws -> Double {
        let s = try plainScalar(n, path, expected: "a number")
        guard let v = Double(s.replacingOccurrences(of: "_", with: "")), v.isFinite else {
            throw fail(n, path, "expected a number, got \(describe(n))")
        }
        return v
    }

    /// A number checked against its one range in `Limits` (NaN, infinities, text refused).
    func number(_ n: Node, _ path: String, _ limit: NumericLimit) throws -> Double {
        guard case let .scalar(s) = n else { throw fail(n, path, "must be \(limit.rangeText), got \(describe(n))") }
        guard s.style == .plain || s.style == .any else {
            throw fail(n, path, "must be \(limit.rangeText), got \(describe(n)); remove the quotes")
        }
        switch limit.parse(s.string) {
        case .success(let v): return v
        case .failure(let e): throw fail(n, path, e.message)
        }
    }

    /// A whole number within its range; the conversion to Int cannot trap.
    func whole(_ n: Node, _ path: String, _ limit: NumericLimit) throws -> Int {
        limit.wholeValue(try number(n, path, limit))
    }

    func bool(_ n: Node, _ path: String) throws -> Bool {
        let s = try plainScalar(n, path, expected: "true or false").lowercased()
        switch s {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(n, path, "expected true or false, got \(describe(n))")
        }
    }

    func point(_ n: Node, _ path: String) throws -> Point {
        let example = "[x, y] with x and y between 0 and 1, e.g. [0.5, 0.6]"
        guard case let .sequence(s) = n else { throw fail(n, path, "expected a point \(example), got \(describe(n))") }
        let items = Array(s)
        guard items.count == 2 else { throw fail(n, path, "expected a point \(example), got \(items.count) values") }
        var xy: [Double] = []
        for (i, item) in items.enumerated() {
            let name = i == 0 ? "x" : "y"
            let v: Double
            do { v = try double(item, path) } catch {
                throw fail(item, path, "\(name) must be a number between 0 and 1, got \(describe(item))")
            }
            guard v >= 0 && v <= 1 else {
                throw fail(item, path, "\(name) must be between 0 and 1 (got \(ConfigLoader.fmt(v))); coordinates are shares of the frame, origin top-left")
            }
            xy.append(v)
        }
        return Point(xy[0], xy[1])
    }

    // MARK: Sections

    func site(_ root: Node) throws -> SiteConfig {
        let top = try mapping(root, "", allowed: ["site", "gates", "alerts", "retention_days"], required: ["site", "gates"],
                              example: "site: and gates: at the top level")
        let info = try siteInfo(top["site"]!, "site")
        let gates = try gatesList(top["gates"]!, "gates")
        var alerts = AlertSettings()
        if let a = top["alerts"] { alerts = try alertSettings(a, "alerts") }
        var retention: Int?
        if let r = top["retention_days"] { retention = try whole(r, "retention_days", Limits.retentionDays) }
        return SiteConfig(site: info, gates: gates, alerts: alerts, retentionDays: retention)
    }

    func siteInfo(_ n: Node, _ path: String) throws -> SiteInfo {
        let e = try mapping(n, path, allowed: ["name", "capacity", "time_zone", "opening_hours"], required: ["name", "capacity"],
                            example: "name: ..., capacity: 5000")
        let name = try string(e["name"]!, e.child("name"))
        let capacity = try whole(e["capacity"]!, e.child("capacity"), Limits.capacity)
        var tz = ConfigLoader.defaultTimeZone
        if let t = e["time_zone"] {
            tz = try string(t, e.child("time_zone"))
            guard TimeZone(identifier: tz) != nil else {
                throw fail(t, e.child("time_zone"), "unknown time zone '\(TextSafety.echo(tz, limit: 80))'; use an IANA name such as \(ConfigLoader.defaultTimeZone)")
            }
        }
        var hours: OpeningHours?
        if let h = e["opening_hours"] { hours = try openingHours(h, e.child("opening_hours")) }
        return SiteInfo(name: name, capacity: capacity, timeZone: tz, openingHours: hours)
    }

    func openingHours(_ n: Node, _ path: String) throws -> OpeningHours {
        let text = try string(n, path)
        let usage = "write opening hours as HH:MM-HH:MM, e.g. 07:30-17:30"
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw fail(n, path, "'\(TextSafety.echo(text, limit: 40))' is not a time range; \(usage)") }
        func minutes(_ s: String) -> Int? {
            let hm = s.split(separator: ":")
            guard hm.count == 2, hm[0].count <= 2, hm[1].count == 2,
                  let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0...59).contains(m),
                  h < 24 || m == 0 else { return nil }
            return h * 60 + m
        }
        guard let open = minutes(parts[0]) else { throw fail(n, path, "'\(TextSafety.echo(parts[0], limit: 40))' is not a time; \(usage)") }
        guard let close = minutes(parts[1]) else { throw fail(n, path, "'\(TextSafety.echo(parts[1], limit: 40))' is not a time; \(usage)") }
        guard open % 1440 != close % 1440 else {
            throw fail(n, path, "opening and closing times are the same; leave opening_hours out for a site that never closes")
        }
        return OpeningHours(openMinute: open % 1440, closeMinute: close == 1440 ? 1440 : close)
    }

    func gatesList(_ n: Node, _ path: String) throws -> [GateConfig] {
        var gateIds: [String: Node] = [:], feedIds: [String: Node] = [:], lineIds: [String: Node] = [:]
        func unique(_ id: String, _ node: Node, _ key: String, _ kind: String, _ seen: inout [String: Node]) throws {
            if let first = seen[id] {
                let at = first.mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw fail(node, key, "duplicate \(kind) id '\(id)'\(at); \(kind) ids must be unique across the site")
            }
            seen[id] = node
        }
        var gates: [GateConfig] = []
        for (gi, gn) in try list(n, path, what: "gate", nonEmpty: true).enumerated() {
            let gp = "\(path)[\(gi)]"
            let g = try mapping(gn, gp, allowed: ["id", "name", "feeds"], required: ["id", "feeds"],
                                example: "id: north, name: North gate, feeds: [...]")
            let gid = try identifier(g["id"]!, g.child("id"))
            try unique(gid, g["id"]!, g.child("id"), "gate", &gateIds)
            let gname = try g["name"].map { try string($0, g.child("name")) } ?? gid
            var feeds: [FeedConfig] = []
            for (fi, fnode) in try list(g["feeds"]!, g.child("feeds"), what: "feed (camera)", nonEmpty: true).enumerated() {
                let fp = "\(g.child("feeds"))[\(fi)]"
                let (feed, idNode, lineIdNodes) = try feedConfig(fnode, fp)
                try unique(feed.id, idNode, "\(fp).id", "feed", &feedIds)
                for (li, line) in feed.lines.enumerated() {
                    try unique(line.id, lineIdNodes[li], "\(fp).lines[\(li)].id", "line", &lineIds)
                }
                feeds.append(feed)
            }
            gates.append(GateConfig(id: gid, name: gname, feeds: feeds))
        }
        return gates
    }

    let feedKeys = ["id", "name", "source", "fps", "realtime", "loop", "detector", "confidence", "detect_every", "lines"]
    let lineKeys = ["id", "name", "from", "to", "inside"]

    func feedConfig(_ n: Node, _ path: String) throws -> (FeedConfig, Node, [Node]) {
        let e = try mapping(n, path, allowed: feedKeys, required: ["id", "source", "lines"],
                            example: "id: cam1, source: rtsp://... or a file, lines: [...]")
        let id = try identifier(e["id"]!, e.child("id"))
        let name = try e["name"].map { try string($0, e.child("name")) } ?? id
        let source = try string(e["source"]!, e.child("source"))
        found.sources[id] = LocatedConfig.Place(line: e["source"]!.mark?.line, column: e["source"]!.mark?.column,
                                                key: e.child("source"))
        var fps: Double?
        if let f = e["fps"] { fps = try number(f, e.child("fps"), Limits.fps) }
        let realtime = try e["realtime"].map { try bool($0, e.child("realtime")) } ?? false
        let loop = try e["loop"].map { try bool($0, e.child("loop")) } ?? false
        var detector = DetectorKind.ssdlite
        if let d = e["detector"] {
            let s = try string(d, e.child("detector"))
            guard let k = DetectorKind(rawValue: s.lowercased()) else {
                let names = DetectorKind.allCases.map(\.rawValue)
                var msg = "unknown detector '\(TextSafety.echo(s, limit: 40))'"
                if let c = closest(s.lowercased(), in: names) { msg += "; did you mean '\(c)'?" }
                throw fail(d, e.child("detector"), msg + " (choose one of \(names.joined(separator: ", ")))")
            }
            detector = k
        }
        var confidence = Limits.confidence.defaultValue ?? 0.4
        if let c = e["confidence"] { confidence = try number(c, e.child("confidence"), Limits.confidence) }
        var every: Int?
        if let d = e["detect_every"] { every = try whole(d, e.child("detect_every"), Limits.detectEvery) }
        var lines: [LineConfig] = [], lineIdNodes: [Node] = []
        for (li, ln) in try list(e["lines"]!, e.child("lines"), what: "counting line", nonEmpty: true).enumerated() {
            let (line, idNode) = try lineConfig(ln, "\(e.child("lines"))[\(li)]")
            lines.append(line); lineIdNodes.append(idNode)
        }
        var feed = FeedConfig(id: id, name: name, source: source, fps: fps, realtime: realtime, loop: loop,
                              detector: detector, confidence: confidence, detectEvery: every, lines: lines)
        feed.sourcePosition = e["source"]!.mark.map { "\(file):\($0.line):\($0.column)" } ?? file
        return (feed, e["id"]!, lineIdNodes)
    }

    func lineConfig(_ n: Node, _ path: String) throws -> (LineConfig, Node) {
        let e = try mapping(n, path, allowed: lineKeys, required: ["id", "from", "to", "inside"],
                            example: "id: l1, from: [0.1, 0.6], to: [0.9, 0.6], inside: [0.5, 0.9]")
        let id = try identifier(e["id"]!, e.child("id"))
        let name = try e["name"].map { try string($0, e.child("name")) } ?? id
        let from = try point(e["from"]!, e.child("from"))
        let to = try point(e["to"]!, e.child("to"))
        let inside = try point(e["inside"]!, e.child("inside"))
        guard from.distance(to: to) >= ConfigLoader.minLineLength else {
            throw fail(e["to"]!, e.child("to"), "the line is too short (from and to are the same point or nearly); give two different ends")
        }
        if let problem = ConfigLoader.insideProblem(from: from, to: to, inside: inside) {
            throw fail(e["inside"]!, e.child("inside"), problem)
        }
        return (LineConfig(id: id, name: name, from: from, to: to, inside: inside), e["id"]!)
    }

    func alertSettings(_ n: Node, _ path: String) throws -> AlertSettings {
        let keys = ["capacity_warning", "capacity_critical", "offline_seconds", "frozen_seconds", "low_fps_ratio",
                    "low_fps_seconds", "tamper_seconds", "surge_per_minute", "disagreement_share",
                    "after_hours_entries", "on_alert", "on_alert_timeout"]
        let e = try mapping(n, path, allowed: keys, required: [], example: "capacity_warning: 0.8, ...")
        var a = AlertSettings()
        if let v = e["capacity_warning"] { a.capacityWarning = try number(v, e.child("capacity_warning"), Limits.capacityWarning) }
        if let v = e["capacity_critical"] { a.capacityCritical = try number(v, e.child("capacity_critical"), Limits.capacityCritical) }
        if a.capacityCritical < a.capacityWarning {
            let node = e["capacity_critical"] ?? e["capacity_warning"]
            throw fail(node, e.child(e["capacity_critical"] != nil ? "capacity_critical" : "capacity_warning"),
                       "capacity_critical (\(ConfigLoader.fmt(a.capacityCritical))) must not be below capacity_warning (\(ConfigLoader.fmt(a.capacityWarning)))")
        }
        if let v = e["offline_seconds"] { a.offlineSeconds = try number(v, e.child("offline_seconds"), Limits.offlineSeconds) }
        if let v = e["frozen_seconds"] { a.frozenSeconds = try number(v, e.child("frozen_seconds"), Limits.frozenSeconds) }
        if let v = e["low_fps_ratio"] { a.lowFpsRatio = try number(v, e.child("low_fps_ratio"), Limits.lowFpsRatio) }
        if let v = e["low_fps_seconds"] { a.lowFpsSeconds = try number(v, e.child("low_fps_seconds"), Limits.lowFpsSeconds) }
        if let v = e["tamper_seconds"] { a.tamperSeconds = try number(v, e.child("tamper_seconds"), Limits.tamperSeconds) }
        if let v = e["surge_per_minute"] { a.surgePerMinute = try whole(v, e.child("surge_per_minute"), Limits.surgePerMinute) }
        if let v = e["disagreement_share"] { a.disagreementShare = try number(v, e.child("disagreement_share"), Limits.disagreementShare) }
        if let v = e["after_hours_entries"] { a.afterHoursEntries = try bool(v, e.child("after_hours_entries")) }
        if let v = e["on_alert"] { a.onAlert = try string(v, e.child("on_alert")) }
        if let v = e["on_alert_timeout"] { a.onAlertTimeoutSeconds = try number(v, e.child("on_alert_timeout"), Limits.onAlertTimeout) }
        return a
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func closest(_ word: String, in candidates: [String]) -> String? {
    // A typo is about as long as the word it misses: compare nothing longer (a 10 MB value
    // took 27 s in the quadratic distance below).
    let longest = candidates.map(\.count).max() ?? 0
    guard word.utf8.count <= 2 * longest + 8 else { return nil }
    let w = Array(word.lowercased())
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (c, d) = best else { return nil }
    let limit = max(2, min(w.count, c.count) / 3)
    let prefix = c.hasPrefix(word.lowercased()) || word.lowercased().hasPrefix(c)
    return d <= limit || (prefix && min(w.count, c.count) >= 3) ? c : nil
}

/// Damerau–Levenshtein (optimal string alignment) distance.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

/// A loaded site with where its feeds' sources are written in the file.
public struct LocatedConfig: Sendable {
    public struct Place: Sendable, Equatable { public var line: Int?; public var column: Int?; public var key: String }
    public var config: SiteConfig
    public var file: String
    /// By feed id: the position of its `source:` value and its key path.
    public var sources: [String: Place]

    /// One ConfigError line about a feed's source: file:line:col, the key, the feed id, the problem.
    public func sourceError(feedId: String, _ problem: String) -> ConfigError {
        let p = sources[feedId]
        return ConfigError(file: file, line: p?.line, column: p?.column, key: p?.key ?? "source",
                           message: "feed '\(feedId)': \(problem)")
    }
}
