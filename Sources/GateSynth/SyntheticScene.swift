import Foundation
import GateCore
import GateVision

/// One walker in one frame of a synthetic scene (normalised coordinates).
public struct WalkerState: Equatable, Sendable {
    public var id: Int
    /// Ground point: bottom-centre of the walker's box.
    public var foot: Point
    /// Box height (share of the frame height).
    public var height: Double
    /// Direction of travel in pixel space, radians (0 = right, π/2 = down).
    public var heading: Double
    /// Frames spent moving so far: drives the walking cycle.
    public var phase: Int
    public var moving: Bool
    /// Picks the sprite sequence; hue/brightness/colour vary the look.
    public var spriteKey: UInt64
    public var hueShift: Double
    public var brightness: Double
    public var color: UInt32
}

/// The exact crossings a synthetic scene produced.
public struct SceneTruth: Codable, Equatable, Sendable {
    public struct Crossing: Codable, Equatable, Sendable {
        public var frame: Int
        public var direction: Direction
        public var walker: Int
        public init(frame: Int, direction: Direction, walker: Int) {
            self.frame = frame; self.direction = direction; self.walker = walker
        }
        enum CodingKeys: String, CodingKey { case frame, direction, walker }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            frame = try c.decode(Int.self, forKey: .frame)
            walker = try c.decode(Int.self, forKey: .walker)
            let d = try c.decode(String.self, forKey: .direction)
            guard let dir = Direction.allCases.first(where: { $0.name == d }) else {
                throw DecodingError.dataCorruptedError(forKey: .direction, in: c, debugDescription: "direction must be in or out")
            }
            direction = dir
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(frame, forKey: .frame)
            try c.encode(direction.name, forKey: .direction)
            try c.encode(walker, forKey: .walker)
        }
    }
    public struct Line: Codable, Equatable, Sendable {
        public var from: Point
        public var to: Point
        public var inside: Point
    }
    public var spec: String
    public var line: Line
    public var frames: Int
    public var fps: Double
    public var width: Int
    public var height: Int
    public var walkers: Int
    /// Crossings the picture shows: those before the first tamper frame (cover/shift/freeze).
    public var crossings: [Crossing]
    public var totalIn: Int
    public var totalOut: Int
    /// Frame from which the picture is tampered with, if any.
    public var tamperFrame: Int?
}

/// A planned scene: every walker's path, frame by frame, and the truth computed from them.
public final class SyntheticScene: @unchecked Sendable {
    public let spec: SceneSpec
    public private(set) var truth: SceneTruth
    struct Track {
        var id: Int
        var start: Int
        var feet: [Point]
        var headings: [Double]
        var phases: [Int]
        var moving: [Bool]
        var size: Double
        var spriteKey: UInt64
        var hue: Double
        var brightness: Double
        var color: UInt32
    }
    private(set) var tracks: [Track] = []

    /// Distance (normalised) a ground point must be beyond the line to be on a side.
    public static let margin = 0.02

    public init(spec: SceneSpec) {
        self.spec = spec
        truth = SceneTruth(spec: spec.uri, line: .init(from: spec.lineFrom, to: spec.lineTo, inside: spec.inside),
                           frames: spec.frames, fps: spec.fps, width: spec.width, height: spec.height,
                           walkers: 0, crossings: [], totalIn: 0, totalOut: 0, tamperFrame: spec.tamperFrame)
        var planner = Planner(spec: spec)
        tracks = planner.plan()
        truth = computeTruth()
    }

    public var walkerCount: Int { tracks.count }

    /// The walkers present in a frame (possibly partly outside the picture).
    public func walkers(at frame: Int) -> [WalkerState] {
        var out: [WalkerState] = []
        for t in tracks where frame >= t.start && frame < t.start + t.feet.count {
            let i = frame - t.start
            let foot = t.feet[i]
            out.append(WalkerState(id: t.id, foot: foot, height: Self.boxHeight(y: foot.y, size: t.size, sizing: spec.sizing),
                                   heading: t.headings[i], phase: t.phases[i], moving: t.moving[i], spriteKey: t.spriteKey,
                                   hueShift: t.hue, brightness: t.brightness, color: t.color))
        }
        return out
    }

    /// The ground-point path of one walker from its first frame (for tests and tools).
    public func path(ofWalker id: Int) -> (start: Int, feet: [Point])? {
        tracks.first { $0.id == id }.map { ($0.start, $0.feet) }
    }

    /// How walkers are sized: top-down, the older street scenes' flattering sizes, or a
    /// ground-plane camera (true perspective).
    public enum Sizing: Sendable { case overhead, street, perspective }

    /// Ground-plane camera fitted to vtest.avi's people (768×576): a person standing with
    /// the feet at y (share of the frame height) is `perspectiveSlope · (y − horizon)` tall.
    /// Fitted to SSDLite boxes on 3× tiles of vtest (445 people): median 62 px with the feet at
    /// y 168 px, 82 px at 264, 102 px at 360, 148 px at 552; the horizon is above the picture.
    public static let horizon = -0.22
    public static let perspectiveSlope = 0.21
    /// The far kind's people: 30–70 px tall on a 576-line picture (share of the frame height).
    public static let farHeights = (30.0 / 576)...(70.0 / 576)

    /// Box height for a ground point, times the walker's size. `street`: ~0.24 of the frame
    /// far away, ~0.32 near (SSDLite at 300x300 misses smaller cut-outs, above all on the busy
    /// far side), which is larger than a camera sees far people; `perspective`: what a camera
    /// sees, height proportional to the feet's distance below the horizon.
    public static func boxHeight(y: Double, size: Double, sizing: Sizing) -> Double {
        switch sizing {
        case .overhead: return 0.11 * size
        case .street: return (0.22 + 0.10 * min(max(y, 0), 1.3)) * size
        case .perspective: return perspectiveSlope * max(min(y, 1.3) - horizon, 0.02) * size
        }
    }

    /// Approximate box width (normalised to the frame width) used for spacing.
    static func boxWidth(height: Double, aspect: Double, overhead: Bool) -> Double {
        overhead ? height / aspect : height * 0.45 / aspect
    }

    /// Crossings of a ground-point path over the segment `from`→`to`: the point must
    /// leave one side beyond `margin` and reach the other side beyond `margin` while
    /// its projection stays within the segment. Leaving the segment's extent forgets
    /// the side, so going round an end never counts. Returns (index in path, direction).
    public static func crossings(path: [Point], from a: Point, to b: Point, inside: Point,
                                 margin: Double = SyntheticScene.margin) -> [(index: Int, direction: Direction)] {
        let dx = b.x - a.x, dy = b.y - a.y
        let len = (dx * dx + dy * dy).squareRoot()
        guard len > 0 else { return [] }
        func signed(_ p: Point) -> Double { (dx * (p.y - a.y) - dy * (p.x - a.x)) / len }
        let insideSign: Double = signed(inside) >= 0 ? 1 : -1
        var side = 0
        var out: [(Int, Direction)] = []
        for (i, p) in path.enumerated() {
            let t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (len * len)
            guard t >= 0, t <= 1 else { side = 0; continue }
            let d = signed(p)
            let s = d > margin ? 1 : (d < -margin ? -1 : 0)
            if s == 0 { continue }
            if side != 0 && s != side {
                out.append((i, Double(s) == insideSign ? .in : .out))
            }
            side = s
        }
        return out
    }

    private func computeTruth() -> SceneTruth {
        var t = truth
        t.walkers = tracks.count
        var list: [SceneTruth.Crossing] = []
        let limit = min(spec.frames, spec.tamperFrame ?? Int.max)
        for tr in tracks {
            for c in Self.crossings(path: tr.feet, from: spec.lineFrom, to: spec.lineTo, inside: spec.inside) {
                let f = tr.start + c.index
                if f < limit { list.append(.init(frame: f, direction: c.direction, walker: tr.id)) }
            }
        }
        list.sort { ($0.frame, $0.walker) < ($1.frame, $1.walker) }
        t.crossings = list
        t.totalIn = list.filter { $0.direction == .in }.count
        t.totalOut = list.filter { $0.direction == .out }.count
        return t
    }
}

// MARK: - planning

/// Vectors in "iso" space: x scaled by width/height so that distances are true pixel ratios.
private struct V { var x: Double; var y: Double
    static func + (a: V, b: V) -> V { V(x: a.x + b.x, y: a.y + b.y) }
    static func - (a: V, b: V) -> V { V(x: a.x - b.x, y: a.y - b.y) }
    static func * (a: V, k: Double) -> V { V(x: a.x * k, y: a.y * k) }
    var length: Double { (x * x + y * y).squareRoot() }
    var unit: V { let l = length; return l > 0 ? self * (1 / l) : self }
    func rotated(_ r: Double) -> V { V(x: x * cos(r) - y * sin(r), y: x * sin(r) + y * cos(r)) }
}

private struct Planner {
    let spec: SceneSpec
    var rng: SplitMix64
    let aspect: Double
    let a: V, b: V, u: V, n: V   // line ends, along-line unit, normal toward inside
    var occupied: [[Rect]]
    var nextId = 0

    init(spec: SceneSpec) {
        self.spec = spec
        rng = SplitMix64(seed: spec.seed &* 0x2545_F491_4F6C_DD1D &+ 0x1234_5678)
        aspect = Double(spec.width) / Double(spec.height)
        a = V(x: spec.lineFrom.x * aspect, y: spec.lineFrom.y)
        b = V(x: spec.lineTo.x * aspect, y: spec.lineTo.y)
        u = (b - a).unit
        var nn = V(x: -u.y, y: u.x)
        let ins = V(x: spec.inside.x * aspect, y: spec.inside.y)
        if (ins - a).x * nn.x + (ins - a).y * nn.y < 0 { nn = nn * -1 }
        n = nn
        occupied = Array(repeating: [], count: spec.frames)
    }

    func toPoint(_ v: V) -> Point { Point(v.x / aspect, v.y) }
    func toV(_ p: Point) -> V { V(x: p.x * aspect, y: p.y) }

    func height(_ p: V, _ size: Double) -> Double { SyntheticScene.boxHeight(y: p.y, size: size, sizing: spec.sizing) }

    func box(_ p: Point, _ size: Double) -> Rect {
        let h = height(toV(p), size)
        let w = SyntheticScene.boxWidth(height: h, aspect: aspect, overhead: spec.isOverhead)
        return Rect(x: p.x - w / 2, y: p.y - h, width: w, height: h)
    }

    func fullyInside(_ p: V, _ size: Double, pad: Double = 0.01) -> Bool {
        let r = box(toPoint(p), size)
        return r.minX >= pad && r.minY >= pad && r.maxX <= 1 - pad && r.maxY <= 1 - pad
    }

    func fullyOutside(_ p: V, _ size: Double) -> Bool {
        let r = box(toPoint(p), size)
        return r.maxX < 0 || r.minX > 1 || r.maxY < 0 || r.minY > 1
    }

    /// First point along `dir` from `p` where the walker is wholly out of the picture.
    func exit(from p: V, dir: V, size: Double) -> V {
        var q = p
        for _ in 0..<600 {
            if fullyOutside(q, size) { return q + dir * 0.02 }
            q = q + dir * 0.01
        }
        return q
    }

    /// Signed normalised distance of an iso point to the line (positive = inside side).
    func distance(_ p: V) -> Double {
        let f = spec.lineFrom, t = spec.lineTo, q = toPoint(p)
        let dx = t.x - f.x, dy = t.y - f.y
        let d = (dx * (q.y - f.y) - dy * (q.x - f.x)) / (dx * dx + dy * dy).squareRoot()
        let ins = (dx * (spec.inside.y - f.y) - dy * (spec.inside.x - f.x)) >= 0 ? 1.0 : -1.0
        return d * ins
    }

    /// The point on the ray p + dir*s whose normalised distance to the line is `target`.
    func along(_ p: V, _ dir: V, toDistance target: Double) -> V {
        let k = distance(p + dir) - distance(p)
        guard abs(k) > 1e-9 else { return p }
        return p + dir * ((target - distance(p)) / k)
    }

    // A path under construction.
    struct Path {
        var feet: [V] = []
        var headings: [Double] = []
        var phases: [Int] = []
        var moving: [Bool] = []
        var phase = 0
        var heading = Double.pi / 2
    }

    /// Walks to `q` at `speed` frame-heights a second (at the line's depth; slower far away).
    func walk(_ path: inout Path, to q: V, speed: Double) {
        guard var p = path.feet.last else { path.feet.append(q); path.headings.append(path.heading); path.phases.append(0); path.moving.append(true); return }
        let d = q - p
        if d.length < 1e-9 { return }
        path.heading = atan2(d.y, d.x)
        let ref = height(V(x: 0, y: 0.55), 1)
        for _ in 0..<10_000 {
            let persp = spec.isOverhead ? 1 : height(p, 1) / ref
            let step = speed / spec.fps * persp
            let rest = q - p
            if rest.length <= step { p = q } else { p = p + rest.unit * step }
            path.phase += 1
            path.feet.append(p); path.headings.append(path.heading); path.phases.append(path.phase); path.moving.append(true)
            if rest.length <= step { break }
        }
    }

    func wait(_ path: inout Path, seconds: Double) {
        guard let p = path.feet.last else { return }
        for _ in 0..<max(1, Int((seconds * spec.fps).rounded())) {
            path.feet.append(p); path.headings.append(path.heading); path.phases.append(path.phase); path.moving.append(false)
        }
    }

    func start(_ p: V, heading: V) -> Path {
        var path = Path()
        path.heading = atan2(heading.y, heading.x)
        path.feet = [p]; path.headings = [path.heading]; path.phases = [0]; path.moving = [true]
        return path
    }

    enum Unit {
        case cross, pair, stop, turnback, along
        /// Two people, one following the other on the same path (the `far` kind).
        case behind
        var members: Int { self == .pair || self == .behind ? 2 : 1 }
    }

    mutating func units() -> [Unit] {
        var list: [Unit] = []
        var left = spec.people
        while left > 0 {
            var u: Unit
            switch spec.kind {
            case .pairs: u = .pair
            case .stops: u = .stop
            case .turnbacks: u = .turnback
            case .along: u = .along
            case .both: u = .cross
            case .crowd: u = rng.chance(0.25) ? .pair : .cross
            case .mixed, .overhead:
                let r = rng.unit()
                u = r < 0.45 ? .cross : r < 0.60 ? .pair : r < 0.72 ? .stop : r < 0.86 ? .turnback : .along
            case .far:
                let r = rng.unit()
                u = r < 0.4 ? .cross : r < 0.7 ? .pair : .behind
            }
            if u.members > left { u = .cross }
            list.append(u)
            left -= u.members
        }
        return list
    }

    /// One attempt at a unit's geometry: the paths of its members (1 or 2).
    mutating func shape(_ unit: Unit, inward: Bool, sizes: [Double]) -> [Path]? {
        if spec.kind == .far { return farShape(unit, inward: inward, sizes: sizes) }
        let speed = rng.uniform(0.13, 0.30)
        let t = rng.uniform(0.18, 0.82)
        let onLine = a + (b - a) * t
        let angle = rng.uniform(-0.8, 0.8)  // up to ~45°: diagonal like paths across a road
        let dir = (inward ? n : n * -1).rotated(angle)
        let size = sizes[0]
        switch unit {
        case .cross, .stop, .turnback:
            guard fullyInside(onLine, size) else { return nil }
            let from = exit(from: onLine, dir: dir * -1, size: size)
            let to = exit(from: onLine, dir: dir, size: size)
            var p = start(from, heading: dir)
            switch unit {
            case .cross:
                walk(&p, to: to, speed: speed)
            case .stop:
                // Stop on the line (inside the margin band) or just short of it, then go on or back.
                let target = rng.chance(0.6) ? rng.uniform(-0.012, 0.012) : rng.uniform(-0.06, -0.035)
                let stopAt = along(from, dir, toDistance: inward ? target : -target)
                walk(&p, to: stopAt, speed: speed)
                wait(&p, seconds: rng.uniform(1.5, 4))
                walk(&p, to: rng.chance(0.7) ? to : from, speed: speed * rng.uniform(0.9, 1.1))
            default:
                // Turn back well before the line, or well after it (that makes one in and one out).
                let after = rng.chance(0.5)
                let depth = after ? rng.uniform(0.08, 0.16) : -rng.uniform(0.06, 0.15)
                let turnAt = along(from, dir, toDistance: inward ? depth : -depth)
                guard fullyInside(turnAt, size) || !after else { return nil }
                walk(&p, to: turnAt, speed: speed)
                wait(&p, seconds: rng.uniform(0.4, 1.5))
                walk(&p, to: from, speed: speed * rng.uniform(0.9, 1.1))
            }
            return [p]
        case .pair:
            // Side by side: offset across the walking direction, a clear gap between the boxes.
            // Sized for the nearest (largest) point of the path, so they stay apart everywhere.
            let h = max(height(V(x: 0, y: 1), sizes[0]), height(V(x: 0, y: 1), sizes[1]))
            let w = h * 0.45
            // Side by side as the camera sees them: across the picture when walking up or
            // down it, one behind the other in depth (a full box apart) when walking across.
            let sign: Double = rng.chance(0.5) ? 1 : -1
            let vertical = abs(dir.y) >= abs(dir.x)
            let sep = vertical ? w * rng.uniform(1.45, 1.8) : h * rng.uniform(1.15, 1.3)
            let side = vertical ? V(x: sign, y: 0) : V(x: 0, y: sign)
            let other = onLine + side * sep
            guard fullyInside(onLine, sizes[0]), fullyInside(other, sizes[1]) else { return nil }
            // Both crossing points must fall within the segment.
            let tOther = ((other - a).x * u.x + (other - a).y * u.y) / (b - a).length
            guard tOther > 0.08, tOther < 0.92 else { return nil }
            let bigger = max(sizes[0], sizes[1])
            let from = exit(from: onLine, dir: dir * -1, size: bigger) - dir * 0.02
            let to = exit(from: onLine, dir: dir, size: bigger) + dir * 0.02
            var p0 = start(from, heading: dir), p1 = start(from + side * sep, heading: dir)
            walk(&p0, to: to, speed: speed)
            walk(&p1, to: to + side * sep, speed: speed)
            return [p0, p1]
        case .behind:
            return nil   // planned by farShape only
        case .along:
            let off = rng.uniform(0.05, 0.14) * (rng.chance(0.5) ? 1 : -1)
            let q = along(onLine, n, toDistance: off)
            let ad = (rng.chance(0.5) ? u : u * -1)
            let from = exit(from: q, dir: ad * -1, size: size)
            let to = exit(from: q, dir: ad, size: size)
            var p = start(from, heading: ad)
            walk(&p, to: to, speed: speed)
            return [p]
        }
    }

    /// Far walkers cross the picture along its far band, nearly square to the line (upright
    /// by default): alone, side by side (the partner a little nearer or farther, so their boxes
    /// overlap in part, as a camera sees a pair walking across), or one behind the other.
    mutating func farShape(_ unit: Unit, inward: Bool, sizes: [Double]) -> [Path]? {
        // 0.6–1.1 of a person's own height a second: `walk` takes speeds at depth 0.55.
        let speed = rng.uniform(0.6, 1.1) * height(V(x: 0, y: 0.55), 1)
        let onLine = a + (b - a) * rng.uniform(0.2, 0.8)
        let dir = (inward ? n : n * -1).rotated(rng.uniform(-0.03, 0.03))
        let h = height(onLine, sizes.max() ?? 1), w = h * 0.45   // iso units
        var offsets = [V(x: 0, y: 0)]
        switch unit {
        case .pair:
            let depth = V(x: 0, y: h * rng.uniform(0.4, 0.55) * (rng.chance(0.5) ? 1 : -1))
            offsets.append(depth + dir * (w * rng.uniform(0.6, 1.0) * (rng.chance(0.5) ? 1 : -1)))
        case .behind:
            offsets.append(dir * -(w * rng.uniform(1.6, 2.2)))
        default: break
        }
        for (k, off) in offsets.enumerated() {
            let p = onLine + off
            guard fullyInside(p, sizes[k]) else { return nil }
            let t = ((p - a).x * u.x + (p - a).y * u.y) / (b - a).length
            guard t > 0.08, t < 0.92 else { return nil }   // crosses within the segment
        }
        let reach = offsets.map { abs($0.x * dir.x + $0.y * dir.y) }.max() ?? 0
        let bigger = sizes.max() ?? 1
        let from = exit(from: onLine, dir: dir * -1, size: bigger) - dir * (0.02 + reach)
        let to = exit(from: onLine, dir: dir, size: bigger) + dir * (0.02 + reach)
        let paths = offsets.map { off in
            var p = start(from + off, heading: dir)
            // The same pace in the picture as the first, so a pair at two depths stays together.
            walk(&p, to: to + off, speed: speed * height(onLine, 1) / height(onLine + off, 1))
            return p
        }
        // Everyone stays far: the kind's height band wherever they are in the picture.
        for (k, p) in paths.enumerated() {
            for v in p.feet where v.x > -0.05 * aspect && v.x < 1.05 * aspect {
                guard SyntheticScene.farHeights.contains(height(v, sizes[k])) else { return nil }
            }
        }
        return paths
    }

    func boxes(_ path: Path, _ size: Double) -> [Rect] {
        path.feet.map { v in
            let r = box(toPoint(v), size)
            // Padding keeps a visible gap between people who pass each other.
            return Rect(x: r.x - r.width * 0.25, y: r.y - 0.01, width: r.width * 1.5, height: r.height + 0.02)
        }
    }

    func conflicts(_ paths: [Path], sizes: [Double], start: Int) -> Int {
        var c = 0
        for (k, p) in paths.enumerated() {
            for (i, r) in boxes(p, sizes[k]).enumerated() {
                let f = start + i
                guard f < spec.frames else { break }
                guard r.maxX > 0, r.minX < 1, r.maxY > 0, r.minY < 1 else { continue }
                for o in occupied[f] where r.intersection(o) != nil { c += 1 }
            }
        }
        return c
    }

    mutating func plan() -> [SyntheticScene.Track] {
        var out: [SyntheticScene.Track] = []
        for (k, unit) in units().enumerated() {
            let inward = spec.kind == .both ? (k % 2 == 0) != rng.chance(0.2) : rng.chance(0.5)
            // People's heights vary ±10% in the far kind, whose heights are true to a camera.
            let sizes = (0..<unit.members).map { _ in spec.kind == .far ? rng.uniform(0.9, 1.1) : rng.uniform(0.8, 1.3) }
            var best: (paths: [Path], start: Int, c: Int)?
            for _ in 0..<160 {
                guard let paths = shape(unit, inward: inward, sizes: sizes) else { continue }
                let len = paths.map(\.feet.count).max() ?? 1
                let start = rng.below(max(1, spec.frames - len))
                let c = conflicts(paths, sizes: sizes, start: start)
                if best == nil || c < best!.c { best = (paths, start, c) }
                if c == 0 { break }
            }
            guard let chosen = best else { continue }
            for (m, p) in chosen.paths.enumerated() {
                for (i, r) in boxes(p, sizes[m]).enumerated() where chosen.start + i < spec.frames {
                    occupied[chosen.start + i].append(r)
                }
                let palette: [UInt32] = [0x2030C0, 0xC04020, 0x20A040, 0x303030, 0xE0E0E0, 0x8020A0, 0x20C0D0, 0x606090]
                out.append(SyntheticScene.Track(
                    id: nextId, start: chosen.start, feet: p.feet.map(toPoint), headings: p.headings, phases: p.phases,
                    moving: p.moving, size: sizes[m], spriteKey: rng.next(),
                    hue: rng.chance(0.6) ? rng.uniform(0, 180) : 0, brightness: rng.uniform(0.85, 1.15),
                    color: palette[rng.below(palette.count)]))
                nextId += 1
            }
        }
        return out
    }
}
