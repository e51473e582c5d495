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
    /// Where the detector looks (`detect_region`, as in a site file).
    public var detectRegion: DetectionRegion = .full
    /// How often the detector runs (`cadence`, as in a site file).
    public var cadence: CadenceMode = .adaptive
    /// When the person model is missing or damaged (`on_model_error`, as in a site file).
    public var onModelError: ModelErrorPolicy = .fallBack
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
    /// Why the counts are known to miss today (`known_weakness:`): a count miss is reported, not failed.
    public var knownWeakness: String? = nil

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
        let root = try YAMLReader.compose(yaml, file: file,
                                          emptyMessage: "scenario is empty; it needs at least 'source' and what to expect (see samples/acceptance)")
        return try ScenarioReader(file: file).scenario(root)
    }
}

/// Reads a scenario's node tree with GateCore's one `YAMLReader` and the scenario key table,
/// so a scenario's keys, numbers and lines follow the same rules as a site file's.
private struct ScenarioReader {
    let r: YAMLReader
    var file: String { r.file }

    init(file: String) { r = YAMLReader(file: file, table: ConfigKeys.scenario) }

    func scenario(_ root: Node) throws -> Scenario {
        let e = try r.mapping(root, path: "", section: "", example: "name:, source:, lines: with expect:, speed:, alerts:")
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = try e.text("name") ?? stem, description = try e.text("description") ?? ""
        let knownWeakness = try e.text("known_weakness")
        let rawSource = try e.text("source")!
        let source = try resolvedSource(rawSource, e)
        let realtime = try e.bool("realtime") ?? false, detector = try r.detector(e)
        let confidence = try r.confidence(e), every = try e.whole("detect_every")
        let seconds = try e.number("seconds")
        if SourceKind.isLiveURI(rawSource) && seconds == nil {
            throw r.fail(e["source"], "source", "a live stream never ends by itself; add 'seconds: N' (how long to watch it)")
        }
        let (lines, sceneLine) = try countingLines(e, synthetic: rawSource.lowercased().hasPrefix("synthetic:"))
        let speed = try speedRequirement(e)
        var mustRaise: [AlertKind] = [], mustNot: [AlertKind] = []
        var settings = AlertSettings()
        if let a = e["alerts"] {
            let m = try r.mapping(a, path: "alerts", section: "alerts",
                                  example: "must_raise: [covered], must_not_raise: [offline, frozen]")
            mustRaise = try (m.choices("must_raise") ?? []).compactMap(AlertKind.init(rawValue:))
            mustNot = try (m.choices("must_not_raise") ?? []).compactMap(AlertKind.init(rawValue:))
            if let both = mustRaise.first(where: mustNot.contains) {
                throw r.fail(m["must_not_raise"], "alerts.must_not_raise", "'\(both.rawValue)' is also in must_raise; an alert cannot be both")
            }
            try r.readTimings(m, into: &settings)   // the same ranges as the site file
        }
        let hasCounts = lines.contains { $0.expected != nil } || sceneLine != nil
        if !hasCounts && speed == nil && mustRaise.isEmpty && mustNot.isEmpty {
            throw r.fail(root, nil, "the scenario checks nothing; add expected counts (lines[].expect), a speed: requirement or alerts: must_raise / must_not_raise")
        }
        var scenario = Scenario(name: name, description: description, file: file, source: source, realtime: realtime,
                                detector: detector, confidence: confidence, detectEvery: every, seconds: seconds,
                                lines: lines, sceneLine: sceneLine, speed: speed, mustRaise: mustRaise, mustNotRaise: mustNot,
                                alertSettings: settings, knownWeakness: knownWeakness)
        scenario.detectRegion = try r.detectRegion(e)
        scenario.cadence = try r.cadence(e)
        scenario.onModelError = try r.modelErrorPolicy(e)
        return scenario
    }

    /// A clip path is taken relative to the scenario's folder; streams and scenes as written.
    func resolvedSource(_ raw: String, _ e: YAMLEntries) throws -> String {
        do {
            guard case .file(let p) = try SourceKind.parse(raw) else { return raw }
            let base = (file as NSString).deletingLastPathComponent
            return p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
        } catch let v as VisionError {
            throw r.fail(e["source"], "source", v.message)
        }
    }

    /// `lines:` with their expectations, or a synthetic scene's own line with a top-level `expect:`.
    func countingLines(_ e: YAMLEntries, synthetic: Bool) throws -> ([LineExpectation], LineExpectation?) {
        if let ln = e["lines"] {
            var lines: [LineExpectation] = []
            var seen: Set<String> = []
            for (i, item) in try r.list(ln, "lines", what: "counting line", nonEmpty: true).enumerated() {
                let l = try lineExpectation(item, "lines[\(i)]", synthetic: synthetic)
                if !seen.insert(l.line.id).inserted {
                    throw r.fail(item, "lines[\(i)].id", "duplicate line id '\(l.line.id)'; line ids must be unique in a scenario")
                }
                lines.append(l)
            }
            if let x = e["expect"] {
                throw r.fail(x, "expect", "with 'lines:' put each line's 'expect:' under the line; a top-level 'expect:' is for a synthetic scene's own line")
            }
            return (lines, nil)
        }
        guard let x = e["expect"] else { return ([], nil) }
        guard synthetic else {
            throw r.fail(x, "expect", "only a synthetic scene has its own line; for a clip or stream add 'lines:' with id, from, to, inside and expect")
        }
        let (exp, tol) = try expectation(x, "expect", section: "expect", synthetic: true)
        // The real line comes from the scene at run time; this one is a placeholder.
        let placeholder = LineConfig(id: "scene", name: "scene", from: Point(0, 0.5), to: Point(1, 0.5), inside: Point(0.5, 1))
        return ([], LineExpectation(line: placeholder, expected: exp, tolerance: tol))
    }

    func speedRequirement(_ e: YAMLEntries) throws -> SpeedRequirement? {
        guard let s = e["speed"] else { return nil }
        let m = try r.mapping(s, path: "speed", section: "speed", example: "min_fps: 10, or realtime_feeds: 2")
        if m.count != 1 { throw r.fail(s, "speed", "give exactly one of min_fps (frames a second) or realtime_feeds (copies held in real time)") }
        if let v = try m.number("min_fps") { return .minFps(v) }
        return try m.whole("realtime_feeds").map { .realtimeFeeds($0) }
    }

    func lineExpectation(_ n: Node, _ path: String, synthetic: Bool) throws -> LineExpectation {
        let m = try r.mapping(n, path: path, section: "lines[]",
                              example: "id: main-line, from: [0.4, 0.2], to: [0.4, 0.7], inside: [0.7, 0.45], expect: {in: 12, out: 15}")
        let line = try r.countingLine(m)
        var exp: ExpectedCounts?, tol = CountTolerance.exact
        if let x = m["expect"] {
            (exp, tol) = try expectation(x, "\(path).expect", section: "lines[].expect", synthetic: synthetic)
            if exp == .sceneTruth {
                throw r.fail(x, "\(path).expect", "'truth' is the synthetic scene's own line; drop 'lines:' and use a top-level 'expect: truth'")
            }
        }
        return LineExpectation(line: line, expected: exp, tolerance: tol)
    }

    /// `{in: 12, out: 15, tolerance: 10%}`, `{in: 0, out: 0}`, `truth` or `{truth: true, tolerance: 1}`.
    func expectation(_ n: Node, _ path: String, section: String, synthetic: Bool) throws -> (ExpectedCounts, CountTolerance) {
        if case let .scalar(s) = n {
            guard s.string == "truth" else {
                throw r.fail(n, path, "expected {in: N, out: N} (optionally with tolerance: 1 or 10%), or 'truth' for a synthetic scene; got \(r.describe(n))")
            }
            guard synthetic else { throw r.fail(n, path, "'truth' needs a synthetic: source (a clip has no ground truth of its own); give {in: N, out: N}") }
            return (.sceneTruth, .exact)
        }
        let m = try r.mapping(n, path: path, section: section, example: "in: 12, out: 15, tolerance: 10%")
        var tol = CountTolerance.exact
        if let t = m["tolerance"] { tol = try tolerance(t, m.child("tolerance")) }
        if let t = m["truth"] {
            guard try m.bool("truth")! else { throw r.fail(t, m.child("truth"), "leave 'truth' out, or set it to true") }
            guard synthetic else { throw r.fail(t, m.child("truth"), "'truth' needs a synthetic: source; give in: and out:") }
            if let x = m["in"] ?? m["out"] { throw r.fail(x, path, "give either truth: true or in:/out:, not both") }
            return (.sceneTruth, tol)
        }
        guard let ins = try m.whole("in") else { throw r.fail(n, m.child("in"), "missing required key; add 'in:' (people expected to cross inward)") }
        guard let outs = try m.whole("out") else { throw r.fail(n, m.child("out"), "missing required key; add 'out:' (people expected to cross outward)") }
        return (.counts(ins: ins, outs: outs), tol)
    }

    /// A whole count (1) or a percentage (10%); like every number, written without quotes.
    func tolerance(_ n: Node, _ path: String) throws -> CountTolerance {
        guard case let .scalar(s) = n, s.style == .plain || s.style == .any else {
            let quoted = n.scalar != nil ? "; remove the quotes" : ""
            throw r.fail(n, path, "expected a count (1) or a percentage (10%), got \(r.describe(n))\(quoted)")
        }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") {
            guard let p = NumericLimit.decimal(String(text.dropLast())), p >= 0, p <= 100 else {
                throw r.fail(n, path, "'\(TextSafety.echo(text, limit: 40))' is not a percentage between 0% and 100%")
            }
            return p == 0 ? .exact : .percent(p)
        }
        guard let c = Int(text), c >= 0 else {
            throw r.fail(n, path, "'\(TextSafety.echo(text, limit: 40))' is not a tolerance; give a whole count (1) or a percentage (10%)")
        }
        return c == 0 ? .exact : .count(c)
    }
}
