import Foundation
import GateCore
import GateVision
import Yams

/// How far a count may be from the expected one.
public enum CountTolerance: Equatable, Sendable, CustomStringConvertible {
    case exact
    case count(Int)
    case percent(Double)

    /// The largest error allowed for an expected count.
    public func allowed(for expected: Int) -> Double {
        switch self {
        case .exact: return 0
        case .count(let n): return Double(n)
        case .percent(let p): return Double(expected) * p / 100
        }
    }
    /// `±1`, `±10%`, or empty for exact.
    public var description: String {
        switch self {
        case .exact: return ""
        case .count(let n): return "±\(n)"
        case .percent(let p): return "±\(ConfigLoader.fmtNumber(p))%"
        }
    }
    /// For the store's `tolerance` column: a count, or a share (0.1 for 10 %) stored negative.
    public var storedValue: Double? {
        switch self {
        case .exact: return 0
        case .count(let n): return Double(n)
        case .percent(let p): return -p / 100
        }
    }
}

/// What one line must count: fixed numbers, or the synthetic scene's own truth.
public enum ExpectedCounts: Equatable, Sendable {
    case counts(ins: Int, outs: Int)
    case sceneTruth
}

public struct LineExpectation: Equatable, Sendable {
    public var line: LineConfig
    public var expected: ExpectedCounts?
    public var tolerance: CountTolerance
    public init(line: LineConfig, expected: ExpectedCounts?, tolerance: CountTolerance = .exact) {
        self.line = line; self.expected = expected; self.tolerance = tolerance
    }
}

public enum SpeedRequirement: Equatable, Sendable {
    /// Frames processed per second of wall time, at least.
    case minFps(Double)
    /// The machine must hold this many copies of the source in real time.
    case realtimeFeeds(Int)
}

/// One acceptance scenario, read from a YAML file.
public struct Scenario: Equatable, Sendable {
    public var name: String
    public var description: String
    /// The file it came from.
    public var file: String
    /// Clip path (resolved against the scenario's folder), stream URL or `synthetic:` URI.
    public var source: String
    public var realtime: Bool
    public var detector: DetectorKind
    public var confidence: Double
    public var detectEvery: Int?
    /// How long to watch a live source (streams never end by themselves).
    public var seconds: Double?
    /// Empty with `useSceneLine`: the synthetic scene's own line.
    public var lines: [LineExpectation]
    /// A synthetic scene's own line, with this expectation.
    public var sceneLine: LineExpectation?
    public var speed: SpeedRequirement?
    public var mustRaise: [AlertKind]
    public var mustNotRaise: [AlertKind]
    public var alertSettings: AlertSettings

    public var isSynthetic: Bool { source.lowercased().hasPrefix("synthetic:") }
    public var isLiveSource: Bool { SourceKind.isLiveURI(source) }
    public var checksAlerts: Bool { !mustRaise.isEmpty || !mustNotRaise.isEmpty }
}

/// Reads scenario files and suites (a folder of `.yaml`/`.yml` files, sorted by name).
public enum ScenarioLoader {
    /// The scenario files of a suite folder, or the one file given.
    public static func suiteFiles(_ path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(file: path, message: "suite not found; give a folder of scenario .yaml files (e.g. samples/acceptance) or one scenario file")
        }
        guard isDir.boolValue else { return [path] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw ConfigError(file: path, message: "cannot list the suite folder; check its permissions")
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw ConfigError(file: path, message: "the suite folder holds no scenario files (*.yaml); add one (see samples/acceptance)")
        }
        return files
    }

    public static func load(path: String) throws -> Scenario {
        let text = try ConfigLoader.readText(path: path, what: "scenario file",
                                             notFoundHint: "check the path (see samples/acceptance for examples)")
        return try parse(yaml: text, file: path)
    }

    /// `file` names the scenario in errors and anchors relative clip paths.
    public static func parse(yaml: String, file: String = "<scenario>") throws -> Scenario {
        try YAMLLimits.check(yaml, file: file)   // size and depth before the recursive parser
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw ConfigLoader.syntaxError(e, file: file)
        } catch {
            throw ConfigError(file: file, message: "cannot parse YAML: \(error)")
        }
        guard let root else {
            throw ConfigError(file: file, line: 1, column: 1, message: "scenario is empty; it needs at least 'source' and what to expect (see samples/acceptance)")
        }
        return try ScenarioWalker(file: file).scenario(root)
    }
}

extension ConfigLoader {
    /// 12 not 12.0; 2.5 stays 2.5.
    public static func fmtNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// Walks a scenario's node tree; every error names file:line:column and the key.
private struct ScenarioWalker {
    let file: String

    func fail(_ n: Node?, _ key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: n?.mark?.line, column: n?.mark?.column, key: key, message: message)
    }

    func isNull(_ n: Node) -> Bool {
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    func describe(_ n: Node) -> String {
        switch n {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case let .scalar(s): return isNull(n) ? "nothing" : "'\(s.string)'"
        }
    }

    /// Entries of a mapping after checking unknown, duplicate and missing keys.
    func mapping(_ n: Node, _ path: String, allowed: [String], required: [String] = [], example: String) throws -> [String: Node] {
        guard case let .mapping(m) = n else {
            throw fail(n, path.isEmpty ? nil : path, "expected a mapping (\(example)), got \(describe(n))")
        }
        var out: [String: Node] = [:]
        for (k, v) in m {
            let key = k.scalar?.string ?? ""
            let full = path.isEmpty ? key : "\(path).\(key)"
            if out[key] != nil { throw fail(k, full, "appears twice; keep only one") }
            guard allowed.contains(key) else {
                var msg = "unknown key"
                if let c = closest(key, in: allowed) { msg += "; did you mean '\(c)'?" }
                throw fail(k, full, msg + " (allowed here: \(allowed.joined(separator: ", ")))")
            }
            if !isNull(v) { out[key] = v }
        }
        for r in required where out[r] == nil {
            throw fail(n, path.isEmpty ? r : "\(path).\(r)", "missing required key; add '\(r):' here (\(example))")
        }
        return out
    }

    func string(_ n: Node, _ path: String) throws -> String {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected text, got \(describe(n))") }
        let v = s.string.trimmingCharacters(in: .whitespaces)
        if v.isEmpty { throw fail(n, path, "is empty; give a value") }
        return v
    }

    func double(_ n: Node, _ path: String) throws -> Double {
        guard case let .scalar(s) = n, let v = Double(s.string.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw fail(n, path, "expected a number, got \(describe(n))")
        }
        return v
    }

    func count(_ n: Node, _ path: String) throws -> Int {
        guard case let .scalar(s) = n, let v = Int(s.string.trimmingCharacters(in: .whitespaces)) else {
            throw fail(n, path, "expected a whole number, got \(describe(n))")
        }
        guard v >= 0 else { throw fail(n, path, "must be 0 or more (got \(v))") }
        return v
    }

    func bool(_ n: Node, _ path: String) throws -> Bool {
        switch (n.scalar?.string ?? "").lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(n, path, "expected true or false, got \(describe(n))")
        }
    }

    func point(_ n: Node, _ path: String) throws -> Point {
        let example = "[x, y] between 0 and 1, e.g. [0.5, 0.6]"
        guard case let .sequence(s) = n, s.count == 2 else { throw fail(n, path, "expected a point \(example), got \(describe(n))") }
        var xy: [Double] = []
        for item in s {
            let v = try double(item, path)
            guard v >= 0 && v <= 1 else {
                throw fail(item, path, "must be between 0 and 1 (got \(ConfigLoader.fmtNumber(v))); coordinates are shares of the frame, origin top-left")
            }
            xy.append(v)
        }
        return Point(xy[0], xy[1])
    }

    // MARK: sections

    static let topKeys = ["name", "description", "source", "realtime", "detector", "confidence", "detect_every",
                          "seconds", "lines", "expect", "speed", "alerts"]

    func scenario(_ root: Node) throws -> Scenario {
        let e = try mapping(root, "", allowed: Self.topKeys, required: ["source"],
                            example: "name:, source:, lines: with expect:, speed:, alerts:")
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = try e["name"].map { try string($0, "name") } ?? stem
        let description = try e["description"].map { try string($0, "description") } ?? ""
        let rawSource = try string(e["source"]!, "source")
        let source: String
        do {
            switch try SourceKind.parse(rawSource) {
            case .file(let p):
                let base = (file as NSString).deletingLastPathComponent
                source = p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
            default: source = rawSource
            }
        } catch let v as VisionError {
            throw fail(e["source"], "source", v.message)
        }
        let isSynthetic = rawSource.lowercased().hasPrefix("synthetic:")
        let realtime = try e["realtime"].map { try bool($0, "realtime") } ?? false
        var detector = DetectorKind.ssdlite
        if let d = e["detector"] {
            let s = try string(d, "detector").lowercased()
            guard let k = DetectorKind(rawValue: s) else {
                let names = DetectorKind.allCases.map(\.rawValue)
                var msg = "unknown detector '\(s)'"
                if let c = closest(s, in: names) { msg += "; did you mean '\(c)'?" }
                throw fail(d, "detector", msg + " (choose one of \(names.joined(separator: ", ")))")
            }
            detector = k
        }
        var confidence = 0.4
        if let c = e["confidence"] {
            confidence = try double(c, "confidence")
            if let problem = Limits.confidence.problem(confidence) { throw fail(c, "confidence", problem) }
        }
        var every: Int?
        if let d = e["detect_every"] {
            let v = try count(d, "detect_every")
            if let problem = Limits.detectEvery.problem(Double(v)) { throw fail(d, "detect_every", problem) }
            every = v
        }
        var seconds: Double?
        if let s = e["seconds"] {
            let v = try double(s, "seconds")
            if let problem = Limits.scenarioSeconds.problem(v) { throw fail(s, "seconds", problem) }
            seconds = v
        }
        if SourceKind.isLiveURI(rawSource) && seconds == nil {
            throw fail(e["source"], "source", "a live stream never ends by itself; add 'seconds: N' (how long to watch it)")
        }

        var lines: [LineExpectation] = []
        var sceneLine: LineExpectation?
        if let ln = e["lines"] {
            guard case let .sequence(items) = ln, items.count > 0 else {
                throw fail(ln, "lines", "expected a list of lines (lines starting with '- '), got \(describe(ln))")
            }
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let l = try lineExpectation(item, "lines[\(i)]", synthetic: isSynthetic)
                if !seen.insert(l.line.id).inserted {
                    throw fail(item, "lines[\(i)].id", "duplicate line id '\(l.line.id)'; line ids must be unique in a scenario")
                }
                lines.append(l)
            }
            if let x = e["expect"] {
                throw fail(x, "expect", "with 'lines:' put each line's 'expect:' under the line; a top-level 'expect:' is for a synthetic scene's own line")
            }
        } else if let x = e["expect"] {
            guard isSynthetic else {
                throw fail(x, "expect", "only a synthetic scene has its own line; for a clip or stream add 'lines:' with id, from, to, inside and expect")
            }
            let (exp, tol) = try expectation(x, "expect", synthetic: true)
            // The real line comes from the scene at run time; this one is a placeholder.
            sceneLine = LineExpectation(line: LineConfig(id: "scene", name: "scene", from: Point(0, 0.5), to: Point(1, 0.5), inside: Point(0.5, 1)),
                                        expected: exp, tolerance: tol)
        }

        var speed: SpeedRequirement?
        if let s = e["speed"] {
            let m = try mapping(s, "speed", allowed: ["min_fps", "realtime_feeds"], example: "min_fps: 10, or realtime_feeds: 2")
            if m.count != 1 { throw fail(s, "speed", "give exactly one of min_fps (frames a second) or realtime_feeds (copies held in real time)") }
            if let f = m["min_fps"] {
                let v = try double(f, "speed.min_fps")
                if let problem = Limits.minFps.problem(v) { throw fail(f, "speed.min_fps", problem) }
                speed = .minFps(v)
            } else if let f = m["realtime_feeds"] {
                let v = try count(f, "speed.realtime_feeds")
                if let problem = Limits.benchMaxFeeds.problem(Double(v)) { throw fail(f, "speed.realtime_feeds", problem) }
                speed = .realtimeFeeds(v)
            }
        }

        var mustRaise: [AlertKind] = [], mustNot: [AlertKind] = []
        var settings = AlertSettings()
        if let a = e["alerts"] {
            let m = try mapping(a, "alerts", allowed: ["must_raise", "must_not_raise", "offline_seconds", "frozen_seconds", "tamper_seconds", "low_fps_ratio", "low_fps_seconds"],
                                example: "must_raise: [covered], must_not_raise: [offline, frozen]")
            if let r = m["must_raise"] { mustRaise = try kinds(r, "alerts.must_raise") }
            if let r = m["must_not_raise"] { mustNot = try kinds(r, "alerts.must_not_raise") }
            if let both = mustRaise.first(where: mustNot.contains) {
                throw fail(m["must_not_raise"], "alerts.must_not_raise", "'\(both.rawValue)' is also in must_raise; an alert cannot be both")
            }
            // The same ranges as the site file (GateCore's Limits table).
            for (limit, kp) in [(Limits.offlineSeconds, \AlertSettings.offlineSeconds), (Limits.frozenSeconds, \.frozenSeconds),
                                (Limits.tamperSeconds, \.tamperSeconds), (Limits.lowFpsSeconds, \.lowFpsSeconds),
                                (Limits.lowFpsRatio, \.lowFpsRatio)] {
                if let n = m[limit.key] {
                    let v = try double(n, "alerts.\(limit.key)")
                    if let problem = limit.problem(v) { throw fail(n, "alerts.\(limit.key)", problem) }
                    settings[keyPath: kp] = v
                }
            }
        }
        let hasCounts = lines.contains { $0.expected != nil } || sceneLine != nil
        if !hasCounts && speed == nil && mustRaise.isEmpty && mustNot.isEmpty {
            throw fail(root, nil, "the scenario checks nothing; add expected counts (lines[].expect), a speed: requirement or alerts: must_raise / must_not_raise")
        }
        return Scenario(name: name, description: description, file: file, source: source, realtime: realtime,
                        detector: detector, confidence: confidence, detectEvery: every, seconds: seconds,
                        lines: lines, sceneLine: sceneLine, speed: speed, mustRaise: mustRaise, mustNotRaise: mustNot,
                        alertSettings: settings)
    }

    func lineExpectation(_ n: Node, _ path: String, synthetic: Bool) throws -> LineExpectation {
        let example = "id: main-line, from: [0.4, 0.2], to: [0.4, 0.7], inside: [0.7, 0.45], expect: {in: 12, out: 15}"
        let m = try mapping(n, path, allowed: ["id", "name", "from", "to", "inside", "expect"],
                            required: ["id", "from", "to", "inside"], example: example)
        let id = try string(m["id"]!, "\(path).id")
        let ok = id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
        guard ok, id.count <= 64 else {
            throw fail(m["id"], "\(path).id", "ids may use only letters, digits, '-', '_' and '.' (at most 64), got '\(id)'")
        }
        let name = try m["name"].map { try string($0, "\(path).name") } ?? id
        let from = try point(m["from"]!, "\(path).from"), to = try point(m["to"]!, "\(path).to")
        let inside = try point(m["inside"]!, "\(path).inside")
        guard from.distance(to: to) >= 0.01 else {
            throw fail(m["to"], "\(path).to", "the line is too short (from and to are the same point or nearly); give two different ends")
        }
        if let problem = ConfigLoader.insideProblem(from: from, to: to, inside: inside) {
            throw fail(m["inside"], "\(path).inside", problem)
        }
        var exp: ExpectedCounts?, tol = CountTolerance.exact
        if let x = m["expect"] {
            (exp, tol) = try expectation(x, "\(path).expect", synthetic: synthetic)
            if exp == .sceneTruth {
                throw fail(x, "\(path).expect", "'truth' is the synthetic scene's own line; drop 'lines:' and use a top-level 'expect: truth'")
            }
        }
        return LineExpectation(line: LineConfig(id: id, name: name, from: from, to: to, inside: inside), expected: exp, tolerance: tol)
    }

    /// `{in: 12, out: 15, tolerance: 10%}`, `{in: 0, out: 0}`, `truth` or `{truth: true, tolerance: 1}`.
    func expectation(_ n: Node, _ path: String, synthetic: Bool) throws -> (ExpectedCounts, CountTolerance) {
        if case let .scalar(s) = n {
            guard s.string == "truth" else {
                throw fail(n, path, "expected {in: N, out: N} (optionally with tolerance: 1 or 10%), or 'truth' for a synthetic scene; got \(describe(n))")
            }
            guard synthetic else { throw fail(n, path, "'truth' needs a synthetic: source (a clip has no ground truth of its own); give {in: N, out: N}") }
            return (.sceneTruth, .exact)
        }
        let m = try mapping(n, path, allowed: ["in", "out", "tolerance", "truth"], example: "in: 12, out: 15, tolerance: 10%")
        var tol = CountTolerance.exact
        if let t = m["tolerance"] { tol = try tolerance(t, "\(path).tolerance") }
        if let t = m["truth"] {
            guard try bool(t, "\(path).truth") else { throw fail(t, "\(path).truth", "leave 'truth' out, or set it to true") }
            guard synthetic else { throw fail(t, "\(path).truth", "'truth' needs a synthetic: source; give in: and out:") }
            if let x = m["in"] ?? m["out"] { throw fail(x, path, "give either truth: true or in:/out:, not both") }
            return (.sceneTruth, tol)
        }
        guard let i = m["in"] else { throw fail(n, "\(path).in", "missing required key; add 'in:' (people expected to cross inward)") }
        guard let o = m["out"] else { throw fail(n, "\(path).out", "missing required key; add 'out:' (people expected to cross outward)") }
        return (.counts(ins: try count(i, "\(path).in"), outs: try count(o, "\(path).out")), tol)
    }

    func tolerance(_ n: Node, _ path: String) throws -> CountTolerance {
        guard case let .scalar(s) = n else { throw fail(n, path, "expected a count (1) or a percentage (10%), got \(describe(n))") }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") {
            guard let p = Double(text.dropLast().trimmingCharacters(in: .whitespaces)), p.isFinite, p >= 0, p <= 100 else {
                throw fail(n, path, "'\(text)' is not a percentage between 0% and 100%")
            }
            return p == 0 ? .exact : .percent(p)
        }
        guard let c = Int(text), c >= 0 else {
            throw fail(n, path, "'\(text)' is not a tolerance; give a whole count (1) or a percentage (10%)")
        }
        return c == 0 ? .exact : .count(c)
    }

    func kinds(_ n: Node, _ path: String) throws -> [AlertKind] {
        let names = AlertKind.allCases.map(\.rawValue)
        let items: [Node]
        if case let .sequence(s) = n { items = Array(s) } else { items = [n] }
        var out: [AlertKind] = []
        for item in items {
            let s = try string(item, path)
            guard let k = AlertKind(rawValue: s) else {
                var msg = "unknown alert kind '\(s)'"
                if let c = closest(s, in: names) { msg += "; did you mean '\(c)'?" }
                throw fail(item, path, msg + " (kinds: \(names.joined(separator: ", ")))")
            }
            if !out.contains(k) { out.append(k) }
        }
        return out
    }
}
