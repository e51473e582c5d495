import Foundation
import Yams

/// Reads a site's YAML file into a validated `SiteConfig`.
///
/// The YAML is composed into a node tree (not decoded), so every error can
/// name the line and column of the offending node. The first error found is
/// thrown as a `ConfigError`.
public enum ConfigLoader {
    public static let defaultTimeZone = defaultSiteTimeZone

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
        let root = try YAMLReader.compose(yaml, file: file,
                                          emptyMessage: "config is empty; it needs at least 'site' and 'gates' (see samples/demo-site.yaml)")
        let site = SiteReader(file: file)
        let config = try site.site(root)
        return LocatedConfig(config: config, file: file, sources: site.found.sources)
    }

    // MARK: Command-line geometry (the same rules as from/to/inside in a file)

    /// Parses `X1,Y1,X2,Y2` (normalised 0…1) as given to `--line`.
    public static func parseLineArgument(_ text: String, option: String = "--line") throws -> (from: Point, to: Point) {
        let v = try numbers(text, names: ["x1", "y1", "x2", "y2"], option: option, form: "X1,Y1,X2,Y2")
        let from = Point(v[0], v[1]), to = Point(v[2], v[3])
        if let problem = lineProblem(from: from, to: to) { throw ConfigError(file: option, message: problem) }
        return (from, to)
    }

    /// Parses `X,Y` (normalised 0…1) as given to `--inside`.
    public static func parsePointArgument(_ text: String, option: String = "--inside") throws -> Point {
        let v = try numbers(text, names: ["x", "y"], option: option, form: "X,Y")
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

    /// `--detect-region full|auto|X1,Y1,X2,Y2`, the command-line form of `detect_region`.
    public static func detectRegionArgument(_ text: String) throws -> DetectionRegion {
        switch text.lowercased() {
        case "full": return .full
        case "auto": return .auto
        default:
            let v = try numbers(text, names: ["x1", "y1", "x2", "y2"], option: "--detect-region", form: "(or full, auto)")
            guard v[2] - v[0] >= 0.05, v[3] - v[1] >= 0.05 else {
                throw ConfigError(file: "--detect-region", message: "the region must be at least 0.05 wide and high, with x1 < x2 and y1 < y2")
            }
            return .rect(Rect(x: v[0], y: v[1], width: v[2] - v[0], height: v[3] - v[1]))
        }
    }

    private static func numbers(_ text: String, names: [String], option: String, form: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == names.count else {
            throw ConfigError(file: option, message: "expected \(names.count) numbers \(form) separated by commas (got '\(TextSafety.echo(text, limit: 80))')")
        }
        return try zip(parts, names).map { part, name in
            switch Limits.coordinate(String(part), name: name) {
            case .success(let v): return v
            case .failure(let e): throw ConfigError(file: option, message: e.message)
            }
        }
    }

    // MARK: Shared rules

    static let minLineLength = 0.01
    static let minInsideDistance = 0.01

    /// Why `from`-`to` is no usable line (its ends the same point, or nearly), or nil.
    public static func lineProblem(from: Point, to: Point) -> String? {
        from.distance(to: to) >= minLineLength ? nil
            : "the line is too short (from and to are the same point or nearly); give two different ends"
    }

    /// Why `inside` cannot tell the sides of the line apart, or nil when it can.
    public static func insideProblem(from: Point, to: Point, inside: Point) -> String? {
        let g = LineGeometry(from: from, to: to, inside: inside)
        let d = abs(g.signedDistance(inside))
        guard d < minInsideDistance else { return nil }
        return String(format: "inside point (%g, %g) lies on the line (%.3f away); move it to the side people enter toward",
                      inside.x, inside.y, d)
    }

    /// 12 not 12.0; 2.5 stays 2.5.
    public static func fmtNumber(_ v: Double) -> String { NumericLimit.format(v) }


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

/// Reads a site file's node tree with the one `YAMLReader` and the site key table.
private struct SiteReader {
    let r: YAMLReader
    /// What the walk records besides the config (a class: the walk functions are non-mutating).
    final class Found { var sources: [String: LocatedConfig.Place] = [:] }
    let found = Found()

    init(file: String) { r = YAMLReader(file: file, table: ConfigKeys.site) }

    func site(_ root: Node) throws -> SiteConfig {
        let top = try r.mapping(root, path: "", section: "", example: "site: and gates: at the top level")
        let info = try siteInfo(top["site"]!)
        let gates = try gatesList(top["gates"]!, "gates")
        var alerts = AlertSettings()
        if let a = top["alerts"] { alerts = try alertSettings(a) }
        var config = SiteConfig(site: info, gates: gates, alerts: alerts, retentionDays: try top.whole("retention_days"),
                                privacy: try top.bool("privacy") ?? true)
        config.api = try top["api"].map(r.apiSettings)
        if let w = top["webhooks"] { config.webhooks = try r.webhookEndpoints(w) }
        config.sync = try top["sync"].map(r.syncSettings)
        return config
    }

    func siteInfo(_ n: Node) throws -> SiteInfo {
        let e = try r.mapping(n, path: "site", section: "site", example: "name: ..., capacity: 5000")
        let name = try e.text("name")!
        let capacity = try e.whole("capacity")!
        var tz = ConfigLoader.defaultTimeZone
        if let t = try e.text("time_zone") {
            guard TimeZone(identifier: t) != nil else {
                throw r.fail(e["time_zone"], e.child("time_zone"), "unknown time zone '\(TextSafety.echo(t, limit: 80))'; use an IANA name such as \(ConfigLoader.defaultTimeZone)")
            }
            tz = t
        }
        var hours: OpeningHours?
        if let h = e["opening_hours"] { hours = try openingHours(h, e.child("opening_hours")) }
        var reset = OccupancyReset.midnight
        if let n = e["occupancy_reset"] {
            let path = e.child("occupancy_reset"), text = try r.text(n, path)
            guard let m = Self.minuteOfDay(text), m < 1440 else {
                throw r.fail(n, path, "'\(TextSafety.echo(text, limit: 40))' is not a time of day; write HH:MM, e.g. 23:00")
            }
            reset = OccupancyReset(minuteOfDay: m)
        }
        return SiteInfo(name: name, capacity: capacity, timeZone: tz, openingHours: hours, occupancyReset: reset)
    }

    /// "HH:MM" as minutes after midnight (24:00 allowed, as the end of a day).
    static func minuteOfDay(_ s: String) -> Int? {
        let hm = s.split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, (1...2).contains(hm[0].count), hm[1].count == 2,
              hm[0].allSatisfy(\.isASCII), hm[1].allSatisfy(\.isASCII),
              let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0...59).contains(m),
              h < 24 || m == 0 else { return nil }
        return h * 60 + m
    }

    func openingHours(_ n: Node, _ path: String) throws -> OpeningHours {
        let text = try r.text(n, path)
        let usage = "write opening hours as HH:MM-HH:MM, e.g. 07:30-17:30"
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw r.fail(n, path, "'\(TextSafety.echo(text, limit: 40))' is not a time range; \(usage)") }
        let minutes = Self.minuteOfDay
        guard let open = minutes(parts[0]) else { throw r.fail(n, path, "'\(TextSafety.echo(parts[0], limit: 40))' is not a time; \(usage)") }
        guard let close = minutes(parts[1]) else { throw r.fail(n, path, "'\(TextSafety.echo(parts[1], limit: 40))' is not a time; \(usage)") }
        guard open % 1440 != close % 1440 else {
            throw r.fail(n, path, "opening and closing times are the same; leave opening_hours out for a site that never closes")
        }
        return OpeningHours(openMinute: open % 1440, closeMinute: close == 1440 ? 1440 : close)
    }

    func gatesList(_ n: Node, _ path: String) throws -> [GateConfig] {
        var gateIds: [String: Node] = [:], feedIds: [String: Node] = [:], lineIds: [String: Node] = [:]
        func unique(_ id: String, _ node: Node, _ key: String, _ kind: String, _ seen: inout [String: Node]) throws {
            if let first = seen[id] {
                let at = first.mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw r.fail(node, key, "duplicate \(kind) id '\(id)'\(at); \(kind) ids must be unique across the site")
            }
            seen[id] = node
        }
        var gates: [GateConfig] = []
        for (gi, gn) in try r.list(n, path, what: "gate", nonEmpty: true).enumerated() {
            let g = try r.mapping(gn, path: "\(path)[\(gi)]", section: "gates[]",
                                  example: "id: north, name: North gate, feeds: [...]")
            let gid = try g.identifier("id")!
            try unique(gid, g["id"]!, g.child("id"), "gate", &gateIds)
            let gname = try g.text("name") ?? gid
            var feeds: [FeedConfig] = []
            for (fi, fnode) in try r.list(g["feeds"]!, g.child("feeds"), what: "feed (camera)", nonEmpty: true).enumerated() {
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

    func feedConfig(_ n: Node, _ path: String) throws -> (FeedConfig, Node, [Node]) {
        let e = try r.mapping(n, path: path, section: "gates[].feeds[]",
                              example: "id: cam1, source: rtsp://... or a file, lines: [...]")
        let id = try e.identifier("id")!
        let source = try e.text("source")!
        found.sources[id] = LocatedConfig.Place(line: e["source"]!.mark?.line, column: e["source"]!.mark?.column,
                                                key: e.child("source"))
        // The keys in the order they are usually written, so the first error is the first in the file.
        var feed = FeedConfig(id: id, name: try e.text("name") ?? id, source: source, fps: try e.number("fps"),
                              realtime: try e.bool("realtime") ?? false, loop: try e.bool("loop") ?? false,
                              detector: try r.detector(e), confidence: try r.confidence(e),
                              detectEvery: try e.whole("detect_every"), lines: [])
        feed.detectRegion = try r.detectRegion(e)
        feed.cadence = try r.cadence(e)
        feed.onModelError = try r.modelErrorPolicy(e)
        var lineIdNodes: [Node] = []
        for (li, ln) in try r.list(e["lines"]!, e.child("lines"), what: "counting line", nonEmpty: true).enumerated() {
            let l = try r.mapping(ln, path: "\(e.child("lines"))[\(li)]", section: "gates[].feeds[].lines[]",
                                  example: "id: l1, from: [0.1, 0.6], to: [0.9, 0.6], inside: [0.5, 0.9]")
            feed.lines.append(try r.countingLine(l)); lineIdNodes.append(l["id"]!)
        }
        feed.sourcePosition = e["source"]!.mark.map { "\(r.file):\($0.line):\($0.column)" } ?? r.file
        return (feed, e["id"]!, lineIdNodes)
    }

    func alertSettings(_ n: Node) throws -> AlertSettings {
        let e = try r.mapping(n, path: "alerts", section: "alerts", example: "capacity_warning: 0.8, ...")
        var a = AlertSettings()
        a.capacityWarning = try e.number("capacity_warning") ?? a.capacityWarning
        a.capacityCritical = try e.number("capacity_critical") ?? a.capacityCritical
        if a.capacityCritical < a.capacityWarning {
            let key = e["capacity_critical"] != nil ? "capacity_critical" : "capacity_warning"
            throw r.fail(e[key], e.child(key),
                         "capacity_critical (\(ConfigLoader.fmtNumber(a.capacityCritical))) must not be below capacity_warning (\(ConfigLoader.fmtNumber(a.capacityWarning)))")
        }
        try r.readTimings(e, into: &a)
        a.surgePerMinute = try e.whole("surge_per_minute") ?? a.surgePerMinute
        a.disagreementShare = try e.number("disagreement_share") ?? a.disagreementShare
        a.droppedShare = try e.number("dropped_share") ?? a.droppedShare
        a.afterHoursEntries = try e.bool("after_hours_entries") ?? a.afterHoursEntries
        a.onAlert = try e.text("on_alert")
        a.onAlertTimeoutSeconds = try e.number("on_alert_timeout") ?? a.onAlertTimeoutSeconds
        return a
    }
}

extension YAMLReader {
    /// A counting line from its mapping: ends, inside point, the same checks in every file.
    public func countingLine(_ e: YAMLEntries) throws -> LineConfig {
        let id = try e.identifier("id")!
        let from = try e.point("from")!, to = try e.point("to")!, inside = try e.point("inside")!
        if let problem = ConfigLoader.lineProblem(from: from, to: to) { throw fail(e["to"], e.child("to"), problem) }
        if let problem = ConfigLoader.insideProblem(from: from, to: to, inside: inside) {
            throw fail(e["inside"], e.child("inside"), problem)
        }
        return LineConfig(id: id, name: try e.text("name") ?? id, from: from, to: to, inside: inside)
    }

    public func detector(_ e: YAMLEntries) throws -> DetectorKind {
        try e.choice("detector").flatMap(DetectorKind.init(rawValue:)) ?? .defaultKind
    }

    /// `on_model_error`: fall_back (default) or stop_feed.
    public func modelErrorPolicy(_ e: YAMLEntries) throws -> ModelErrorPolicy {
        try e.choice("on_model_error").flatMap(ModelErrorPolicy.init(rawValue:)) ?? .fallBack
    }

    /// `cadence`: adaptive (default) or fixed.
    public func cadence(_ e: YAMLEntries) throws -> CadenceMode {
        try e.choice("cadence").flatMap(CadenceMode.init(rawValue:)) ?? .adaptive
    }

    /// `detect_region`: full (default), auto (around the lines) or [x1, y1, x2, y2].
    public func detectRegion(_ e: YAMLEntries) throws -> DetectionRegion {
        guard let n = e["detect_region"] else { return .full }
        let path = e.child("detect_region"), usage = "write full, auto, or [x1, y1, x2, y2] with each between 0 and 1"
        if case .scalar(let v) = n {
            switch v.string.lowercased() {
            case "full": return .full
            case "auto": return .auto
            default: throw fail(n, path, "'\(TextSafety.echo(v.string, limit: 40))' is not a detection region; \(usage)")
            }
        }
        guard case .sequence(let seq) = n, seq.count == 4 else { throw fail(n, path, "expected 4 numbers; \(usage)") }
        var v: [Double] = []
        for (item, name) in zip(Array(seq), ["x1", "y1", "x2", "y2"]) {
            guard case let .scalar(text) = item, Self.isPlain(text) else { throw fail(item, path, "\(name) must be a number; \(usage)") }
            switch Limits.coordinate(text.string, name: name) {
            case .success(let c): v.append(c)
            case .failure(let err): throw fail(item, path, err.message)
            }
        }
        guard v[2] - v[0] >= 0.05, v[3] - v[1] >= 0.05 else {
            throw fail(n, path, "the region must be at least 0.05 wide and high, with x1 < x2 and y1 < y2")
        }
        return .rect(Rect(x: v[0], y: v[1], width: v[2] - v[0], height: v[3] - v[1]))
    }

    public func confidence(_ e: YAMLEntries) throws -> Double {
        try e.number("confidence") ?? Limits.confidence.defaultValue ?? 0.4
    }

    /// The alert timings a site file and a scenario share (the same keys and ranges in both).
    public func readTimings(_ e: YAMLEntries, into a: inout AlertSettings) throws {
        let keys: [(String, WritableKeyPath<AlertSettings, Double>)] = [
            ("offline_seconds", \.offlineSeconds), ("frozen_seconds", \.frozenSeconds), ("low_fps_ratio", \.lowFpsRatio),
            ("low_fps_seconds", \.lowFpsSeconds), ("tamper_seconds", \.tamperSeconds)]
        for (key, kp) in keys { if let v = try e.number(key) { a[keyPath: kp] = v } }
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
