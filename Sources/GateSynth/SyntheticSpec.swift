import Foundation
import GateCore
import GateVision

/// What a synthetic scene shows.
public enum SceneKind: String, CaseIterable, Codable, Sendable {
    case mixed      // a bit of everything below
    case pairs      // people walking side by side
    case stops      // stop near or on the line, then continue or go back
    case turnbacks  // approach and turn back, before the line or after crossing it
    case along      // walk along the line, never across
    case crowd      // 20+ people, both directions, some in pairs
    case both       // plain crossings in both directions
    case overhead   // top-down camera: floor texture and top-down people (motion detector)
    case far        // far from the camera at true perspective (30–70 px): line in the upper third, pairs
}

/// A synthetic scene, parsed from a `synthetic:` URI such as
/// `synthetic:kind=pairs,seed=3,people=12,frames=600,fps=10,width=768,height=576`.
/// Keys: kind, seed, people, frames, fps, width, height, line=x1:y1:x2:y2, inside=x:y,
/// noise (grey levels), cover=T, shift=T, freeze=T (tamper from frame T), perspective=true|false
/// (true ground-plane sizes; the default for `far`), and the flags loop and realtime.
/// A bare kind name (`synthetic:pairs`) is accepted too.
public struct SceneSpec: Equatable, Codable, Sendable {
    public var kind: SceneKind = .mixed
    public var seed: UInt64 = 1
    public var people: Int = 12
    public var frames: Int = 600
    public var fps: Double = 10
    public var width: Int = 768
    public var height: Int = 576
    public var lineFrom = Point(0.05, 0.55)
    public var lineTo = Point(0.95, 0.55)
    public var inside = Point(0.5, 0.9)
    /// Walkers sized by a ground-plane camera (`SyntheticScene.boxHeight`); off for the older
    /// kinds, whose panels were tuned at their larger sizes, on for `far`.
    public var perspective = false
    public var noise: Double = 3
    /// Lens covered from this frame on.
    public var cover: Int?
    /// Camera moved from this frame on.
    public var shift: Int?
    /// Picture frozen (identical frames) from this frame on.
    public var freeze: Int?
    /// Restart with the next seed at the end, forever.
    public var loop = false
    /// Pace frames at `fps` and behave as a live source.
    public var realtime = false

    public init(kind: SceneKind = .mixed, seed: UInt64 = 1, people: Int? = nil, frames: Int = 600) {
        self.kind = kind; self.seed = seed; self.frames = frames
        self.people = people ?? (kind == .crowd ? 24 : 12)
        applyKindDefaults(line: true, perspective: true)
    }

    /// The line a kind's scenes count on unless told otherwise: across the middle of the
    /// picture, or for `far` upright in its upper third, where people walk across the picture.
    public static func defaultLine(for kind: SceneKind) -> (from: Point, to: Point, inside: Point) {
        kind == .far ? (Point(0.5, 0.12), Point(0.5, 0.26), Point(0.8, 0.19))
                     : (Point(0.05, 0.55), Point(0.95, 0.55), Point(0.5, 0.9))
    }

    /// Sets what the kind decides and the URI did not say.
    mutating func applyKindDefaults(line: Bool, perspective: Bool) {
        if line { (lineFrom, lineTo, inside) = Self.defaultLine(for: kind) }
        if perspective { self.perspective = kind == .far }
    }

    /// The style the renderer uses.
    public var isOverhead: Bool { kind == .overhead }

    /// How the scene sizes its walkers.
    public var sizing: SyntheticScene.Sizing { isOverhead ? .overhead : perspective ? .perspective : .street }

    /// Parses a `synthetic:` URI; throws a one-line `VisionError` naming the bad part.
    public static func parse(_ uri: String) throws -> SceneSpec {
        let trimmed = uri.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("synthetic:") else {
            throw VisionError("bad synthetic scene '\(uri)': it must start with 'synthetic:' (e.g. synthetic:kind=pairs,seed=3)")
        }
        var body = String(trimmed.dropFirst("synthetic:".count))
        while body.hasPrefix("/") { body.removeFirst() }
        var reader = SpecReader(uri: uri)
        for raw in body.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 1 {
                try reader.applyBare(item)
            } else {
                try reader.apply(key: kv[0], value: kv[1].trimmingCharacters(in: .whitespaces))
            }
        }
        var spec = reader.spec
        if !reader.peopleGiven && spec.kind == .crowd { spec.people = 24 }
        spec.applyKindDefaults(line: !reader.lineGiven, perspective: !reader.perspectiveGiven)
        if reader.insideGiven { spec.inside = reader.spec.inside }
        try spec.validate(uri)
        return spec
    }

    /// Checks the geometry; `parse` calls it, call it yourself for specs built in code.
    public func validate(_ uri: String? = nil) throws {
        let name = uri ?? self.uri
        let dx = lineTo.x - lineFrom.x, dy = lineTo.y - lineFrom.y
        if (dx * dx + dy * dy).squareRoot() < 0.1 {
            throw VisionError("bad synthetic scene '\(name)': the line is shorter than 0.1 of the frame; make it longer")
        }
        let side = dx * (inside.y - lineFrom.y) - dy * (inside.x - lineFrom.x)
        if abs(side) / (dx * dx + dy * dy).squareRoot() < 0.05 {
            throw VisionError("bad synthetic scene '\(name)': the inside point lies on the line; move it to one side")
        }
        for (k, v) in [("cover", cover), ("shift", shift), ("freeze", freeze)] {
            if let t = v, t >= frames {
                throw VisionError("bad synthetic scene '\(name)': \(k)=\(t) is not before the last frame (frames=\(frames))")
            }
        }
        if people < 1 { throw VisionError("bad synthetic scene '\(name)': people must be at least 1") }
    }

    /// The canonical URI: parses back to the same spec.
    public var uri: String {
        func f(_ d: Double) -> String {
            d == d.rounded() && abs(d) < 1e9 ? String(Int(d)) : String(d)
        }
        var s = "synthetic:kind=\(kind.rawValue),seed=\(seed),people=\(people),frames=\(frames),fps=\(f(fps)),width=\(width),height=\(height)"
        let kindLine = Self.defaultLine(for: kind)
        if lineFrom != kindLine.from || lineTo != kindLine.to {
            s += ",line=\(f(lineFrom.x)):\(f(lineFrom.y)):\(f(lineTo.x)):\(f(lineTo.y))"
        }
        if inside != kindLine.inside { s += ",inside=\(f(inside.x)):\(f(inside.y))" }
        if perspective != (kind == .far) { s += ",perspective=\(perspective)" }
        if noise != 3 { s += ",noise=\(f(noise))" }
        if let c = cover { s += ",cover=\(c)" }
        if let c = shift { s += ",shift=\(c)" }
        if let c = freeze { s += ",freeze=\(c)" }
        if loop { s += ",loop" }
        if realtime { s += ",realtime" }
        return s
    }

    /// First frame at which the picture stops showing the scene, if any.
    public var tamperFrame: Int? { [cover, shift, freeze].compactMap { $0 }.min() }
}

/// Reads the items of one `synthetic:` URI into a spec; every error names the URI and the item.
private struct SpecReader {
    let uri: String
    var spec = SceneSpec()
    var peopleGiven = false
    var lineGiven = false, insideGiven = false, perspectiveGiven = false

    init(uri: String) { self.uri = uri }

    func fail(_ what: String) -> VisionError {
        VisionError("bad synthetic scene '\(uri)': \(what)")
    }

    private static var kinds: String { SceneKind.allCases.map(\.rawValue).joined(separator: "|") }

    /// An item without '=': a flag or a kind name.
    mutating func applyBare(_ item: String) throws {
        let key = item.lowercased()
        if key == "loop" { spec.loop = true; return }
        if key == "realtime" { spec.realtime = true; return }
        if let k = SceneKind(rawValue: key) { spec.kind = k; return }
        throw fail("'\(item)' is neither key=value nor a flag (loop, realtime) nor a kind (\(Self.kinds))")
    }

    mutating func apply(key rawKey: String, value v: String) throws {
        let key = rawKey.lowercased()
        switch key {
        case "kind":
            guard let k = SceneKind(rawValue: v.lowercased()) else { throw fail("kind=\(v) is unknown (use \(Self.kinds))") }
            spec.kind = k
        case "seed":
            guard let s = UInt64(v) else { throw fail("seed=\(v) is not a whole number ≥ 0") }
            spec.seed = s
        case "people": spec.people = try integer(key, v, Limits.scenePeople); peopleGiven = true
        case "frames": spec.frames = try integer(key, v, Limits.sceneFrames)
        case "fps": spec.fps = try real(key, v, Limits.sceneFps)
        case "width": spec.width = try integer(key, v, Limits.sceneWidth)
        case "height": spec.height = try integer(key, v, Limits.sceneHeight)
        case "noise": spec.noise = try real(key, v, Limits.sceneNoise)
        case "line":
            let p = try points(key, v, count: 4)
            spec.lineFrom = Point(p[0], p[1]); spec.lineTo = Point(p[2], p[3]); lineGiven = true
        case "inside":
            let p = try points(key, v, count: 2)
            spec.inside = Point(p[0], p[1]); insideGiven = true
        case "perspective": spec.perspective = try flag(key, v); perspectiveGiven = true
        case "cover": spec.cover = try integer(key, v, Limits.sceneTamperFrame)
        case "shift": spec.shift = try integer(key, v, Limits.sceneTamperFrame)
        case "freeze": spec.freeze = try integer(key, v, Limits.sceneTamperFrame)
        case "loop": spec.loop = try flag(key, v)
        case "realtime": spec.realtime = try flag(key, v)
        default:
            throw fail("unknown key '\(rawKey)' (known: kind, seed, people, frames, fps, width, height, line, inside, noise, cover, shift, freeze, perspective, loop, realtime)")
        }
    }

    private func number(_ key: String, _ v: String) throws -> Double {
        guard let d = Double(v), d.isFinite else { throw fail("\(key)=\(v) is not a number") }
        return d
    }

    // Ranges from GateCore's Limits table (one range per number).
    private func integer(_ key: String, _ v: String, _ limit: NumericLimit) throws -> Int {
        guard let i = Int(v) else { throw fail("\(key)=\(v) is not a whole number") }
        guard limit.contains(Double(i)) else { throw fail("\(key)=\(v) is outside \(outside(limit))") }
        return i
    }

    private func real(_ key: String, _ v: String, _ limit: NumericLimit) throws -> Double {
        let d = try number(key, v)
        guard limit.contains(d) else { throw fail("\(key)=\(v) is outside \(outside(limit))") }
        return d
    }

    private func outside(_ l: NumericLimit) -> String { "\(NumericLimit.format(l.min))…\(NumericLimit.format(l.max))" }

    private func points(_ key: String, _ v: String, count: Int) throws -> [Double] {
        let parts = v.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else { throw fail("\(key)=\(v) needs \(count) numbers separated by ':'") }
        let nums = try parts.map { try number(key, $0) }
        guard nums.allSatisfy({ (0...1).contains($0) }) else {
            throw fail("\(key)=\(v) must use normalised coordinates between 0 and 1")
        }
        return nums
    }

    private func flag(_ key: String, _ v: String) throws -> Bool {
        switch v.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw fail("\(key)=\(v) must be true or false")
        }
    }
}
