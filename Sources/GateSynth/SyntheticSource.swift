import Foundation
import CVision
import GateCore

/// Real people cut out of vtest.avi (walking sequences with alpha masks), built once
/// and cached on disk under `~/.cache/gatewatch/sprites-v9` (or `$XDG_CACHE_HOME`).
public final class SpriteBank: @unchecked Sendable {
    let handle: OpaquePointer
    public let sequences: Int
    /// Milliseconds spent building the bank in this process (0 when it came from the cache).
    public let buildMs: Double
    private let lengths: [Int]
    /// Candidate sequences (index, mirrored) per heading bin, so a walker faces where it goes.
    private var byHeading: [[(Int, Bool)]] = []
    private static let bins = 32

    public static var defaultVideoPath: String {
        ProcessInfo.processInfo.environment["GATEWATCH_SPRITE_VIDEO"] ?? "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
    }
    public static var defaultModelDirectory: String {
        ProcessInfo.processInfo.environment["GATEWATCH_MODEL_DIR"] ?? "/usr/local/share/gatewatch/models"
    }
    public static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/gatewatch/sprites-v9" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/gatewatch/sprites-v9" }
        return NSTemporaryDirectory() + "gatewatch-sprites-v9"
    }

    /// True when the bank is on disk already (loading takes milliseconds; building takes a minute or more).
    public static func isCached(in cacheDirectory: String = SpriteBank.defaultCacheDirectory) -> Bool {
        FileManager.default.fileExists(atPath: cacheDirectory + "/index.txt")
    }

    /// `progress` gets 0…1 while the bank is built (from this thread); it is not called for a cached bank.
    public init(videoPath: String = SpriteBank.defaultVideoPath,
                cacheDirectory: String = SpriteBank.defaultCacheDirectory,
                modelDirectory: String = SpriteBank.defaultModelDirectory,
                progress: ((Double) -> Void)? = nil) throws {
        var err = [CChar](repeating: 0, count: 512)
        let pb = modelDirectory + "/frozen_inference_graph.pb", pbtxt = modelDirectory + "/ssdlite-person.pbtxt"
        final class ProgressBox { let report: (Double) -> Void; init(_ r: @escaping (Double) -> Void) { report = r } }
        let box = progress.map { Unmanaged.passRetained(ProgressBox($0)) }
        defer { box?.release() }
        let callback: gw_progress_fn? = box == nil ? nil : { context, fraction in
            guard let context else { return }
            Unmanaged<ProgressBox>.fromOpaque(context).takeUnretainedValue().report(fraction)
        }
        guard let h = gw_sprite_bank_load(videoPath, cacheDirectory, pb, pbtxt, callback, box?.toOpaque(),
                                          &err, Int32(err.count)) else {
            throw VisionError(String(cString: err))
        }
        handle = h
        sequences = Int(gw_sprite_bank_sequences(h))
        buildMs = gw_sprite_bank_build_ms(h)
        lengths = (0..<sequences).map { Int(gw_sprite_bank_seq_length(h, Int32($0))) }
        if buildMs > 0 {
            FileHandle.standardError.write(Data(String(format: "gatewatch: built the sprite bank (%d walking sequences from %@) in %.1f s, cached in %@\n",
                                                       sequences, (videoPath as NSString).lastPathComponent, buildMs / 1000, cacheDirectory).utf8))
        }
        var motion: [(Double, Double)] = []
        for s in 0..<sequences {
            var vx: Float = 0, vy: Float = 0
            gw_sprite_bank_seq_motion(h, Int32(s), &vx, &vy)
            motion.append((Double(vx), Double(vy)))
        }
        for bin in 0..<Self.bins {
            let ang = Double(bin) / Double(Self.bins) * 2 * Double.pi
            let hx = cos(ang), hy = sin(ang)
            // Every sequence that walks roughly this way; at least the four closest, so
            // pairs and crowds do not all wear the same person.
            var scored: [(Int, Bool, Double)] = []
            for (s, m) in motion.enumerated() {
                let l = (m.0 * m.0 + m.1 * m.1).squareRoot()
                guard l > 0.3 else { continue }
                for flip in [false, true] {
                    scored.append((s, flip, ((flip ? -m.0 : m.0) * hx + m.1 * hy) / l))
                }
            }
            scored.sort { $0.2 > $1.2 }
            let good = scored.enumerated().filter { $0.offset < 4 || $0.element.2 > 0.7 }.map { ($0.element.0, $0.element.1) }
            byHeading.append(good.isEmpty ? [(0, false)] : good)
        }
    }

    deinit { gw_sprite_bank_free(handle) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: SpriteBank?

    /// The process-wide bank from the default places, loaded (or built, reporting `progress`) once.
    public static func shared(progress: ((Double) -> Void)? = nil) throws -> SpriteBank {
        lock.lock(); defer { lock.unlock() }
        if let b = cached { return b }
        let b = try SpriteBank(progress: progress)
        cached = b
        return b
    }

    /// Sequence, sprite frame and mirroring for a walker heading somewhere at some phase.
    func sprite(heading: Double, key: UInt64, phase: Int) -> (seq: Int, frame: Int, flip: Bool) {
        var a = heading.truncatingRemainder(dividingBy: 2 * Double.pi)
        if a < 0 { a += 2 * Double.pi }
        let bin = Int((a / (2 * Double.pi) * Double(Self.bins)).rounded()) % Self.bins
        let list = byHeading[bin]
        let (seq, flip) = list[Int(key % UInt64(list.count))]
        let len = lengths[seq]
        // Ping-pong through the cut-out stride so there is no jump at the end of the sequence.
        let period = max(1, 2 * len - 2)
        let p = (phase + Int((key >> 32) % UInt64(period))) % period
        return (seq, p < len ? p : period - p, flip)
    }

    func aspect(seq: Int, frame: Int) -> Double { Double(gw_sprite_bank_aspect(handle, Int32(seq), Int32(frame))) }
}

/// Draws a `SyntheticScene` frame by frame, with the spec's tamper effects.
public final class SyntheticRenderer {
    public let scene: SyntheticScene
    let bank: SpriteBank?
    private let stage: OpaquePointer
    private var frozen: OpaquePointer?

    /// The street style needs the sprite bank; overhead scenes do not.
    public init(scene: SyntheticScene, bank: SpriteBank?) throws {
        self.scene = scene
        let spec = scene.spec
        if !spec.isOverhead && bank == nil { throw VisionError("synthetic street scenes need the sprite bank") }
        self.bank = bank
        stage = gw_synth_stage_new(bank?.handle, spec.isOverhead ? 1 : 0, Int32(spec.width), Int32(spec.height), spec.seed &+ 17)
    }

    deinit {
        gw_synth_stage_free(stage)
        if let f = frozen { gw_frame_free(f) }
    }

    /// Walkers of a frame as the renderer draws them, with their exact boxes (normalised).
    public func walkers(at index: Int) -> [(state: WalkerState, box: Rect, sprite: gw_synth_walker)] {
        let spec = scene.spec
        let W = Double(spec.width), H = Double(spec.height)
        return scene.walkers(at: index).map { w in
            var g = gw_synth_walker()
            let hPx = w.height * H
            var wPx = hPx
            if let bank = bank, !spec.isOverhead {
                let s = bank.sprite(heading: w.heading, key: w.spriteKey, phase: w.phase)
                g.seq = Int32(s.seq); g.frame = Int32(s.frame); g.flip = s.flip ? 1 : 0
                wPx = (hPx * bank.aspect(seq: s.seq, frame: s.frame)).rounded()
            }
            g.foot_x = Float(w.foot.x * W); g.foot_y = Float(w.foot.y * H)
            g.height = Float(hPx.rounded()); g.width = Float(wPx)
            g.heading = Float(w.heading); g.hue_shift = Float(w.hueShift); g.brightness = Float(w.brightness)
            g.color = w.color; g.depth = Float(w.foot.y)
            let box = Rect(x: (w.foot.x * W - wPx / 2) / W, y: w.foot.y - hPx.rounded() / H, width: wPx / W, height: hPx.rounded() / H)
            return (w, box, g)
        }
    }

    /// Renders frame `index` into a new gw_frame (the caller frees it or wraps it in `Frame`).
    public func render(_ index: Int) throws -> OpaquePointer {
        let spec = scene.spec
        if let t = spec.freeze, index >= t {
            if frozen == nil { frozen = try renderLive(t) }
            let f = gw_frame_clone(frozen!)!
            // A lens covered after the picture froze still goes dark.
            if let c = spec.cover, index >= c, c > t { gw_synth_cover(f, spec.seed &+ UInt64(index)) }
            return f
        }
        return try renderLive(index)
    }

    private func renderLive(_ index: Int) throws -> OpaquePointer {
        let spec = scene.spec
        guard let out = gw_frame_new(Int32(spec.width), Int32(spec.height)) else { throw VisionError("out of memory rendering a synthetic frame") }
        var ws = walkers(at: index).map(\.sprite)
        var err = [CChar](repeating: 0, count: 256)
        let noiseSeed = spec.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03
        if gw_synth_render(stage, bank?.handle, out, &ws, Int32(ws.count), noiseSeed, Float(spec.noise), &err, Int32(err.count)) != 0 {
            gw_frame_free(out)
            throw VisionError(String(cString: err))
        }
        if let t = spec.shift, index >= t { gw_synth_move(out, 0.14, -0.09, 7) }
        if let t = spec.cover, index >= t { gw_synth_cover(out, noiseSeed) }
        return out
    }
}

/// A `synthetic:` scene as a frame source. Renders on the fly; with `loop` it restarts
/// with the next seed at the end so a demo runs forever; with `realtime` it paces frames
/// at the scene's fps and reports itself live.
public final class SyntheticSource: FrameSource {
    public private(set) var spec: SceneSpec
    public private(set) var scene: SyntheticScene
    /// Ground truth of the current round (the scene being shown).
    public var truth: SceneTruth { scene.truth }
    /// How many times the scene restarted (loop).
    public private(set) var round = 0
    public var restarts: Int { round }
    public var frameCount: Int? { spec.frames }
    public var sceneTruth: SceneTruth? { truth }
    public private(set) var lastPacingWaitMs: Double = 0
    private var renderer: SyntheticRenderer?
    private var index = 0        // within the round
    private var emitted = 0      // since open
    private var startMs: Int64
    private let fixedStart: Bool
    private var openedAt = Date()

    public init(spec: SceneSpec, startMs: Int64? = nil) {
        self.spec = spec
        scene = SyntheticScene(spec: spec)
        self.startMs = startMs ?? 0
        fixedStart = startMs != nil
    }

    public convenience init(uri: String, startMs: Int64? = nil) throws {
        self.init(spec: try SceneSpec.parse(uri), startMs: startMs)
    }

    public var description: String { "synthetic scene \(spec.uri)" }
    public var nominalFps: Double? { spec.fps }
    public var isLive: Bool { spec.realtime }

    public func open() throws {
        let bank = spec.isOverhead ? nil : try SpriteBank.shared()
        renderer = try SyntheticRenderer(scene: scene, bank: bank)
        index = 0; emitted = 0
        openedAt = Date()
        if !fixedStart { startMs = Int64(Date().timeIntervalSince1970 * 1000) }
    }

    public func read() throws -> Frame? {
        guard renderer != nil else { throw VisionError("\(description) is not open") }
        if index >= spec.frames {
            guard spec.loop else { return nil }
            spec.seed &+= 1
            round += 1
            scene = SyntheticScene(spec: spec)
            renderer = try SyntheticRenderer(scene: scene, bank: renderer?.bank)
            index = 0
        }
        lastPacingWaitMs = 0
        if spec.realtime {
            let due = openedAt.addingTimeInterval(Double(emitted) / spec.fps)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait); lastPacingWaitMs = wait * 1000 }
        }
        let h = try renderer!.render(index)
        let frame = Frame(handle: h, index: emitted, timestampMs: startMs + Int64((Double(emitted) * 1000 / spec.fps).rounded()))
        index += 1; emitted += 1
        return frame
    }

    public func close() { renderer = nil }
}

/// Writes a scene as an MJPG .avi plus its ground truth as JSON; returns the truth.
@discardableResult
public func writeSyntheticClip(spec: SceneSpec, videoPath: String, truthPath: String) throws -> SceneTruth {
    try spec.validate()
    let scene = SyntheticScene(spec: spec)
    let renderer = try SyntheticRenderer(scene: scene, bank: spec.isOverhead ? nil : try SpriteBank.shared())
    let folder = (videoPath as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
        throw VisionError("cannot write video \(videoPath): the folder \(folder) does not exist or is not writable")
    }
    var err = [CChar](repeating: 0, count: 512)
    guard let writer = gw_synth_writer_open(videoPath, spec.fps, Int32(spec.width), Int32(spec.height), &err, Int32(err.count)) else {
        throw VisionError(String(cString: err))
    }
    defer { gw_synth_writer_close(writer) }
    for i in 0..<spec.frames {
        let f = try renderer.render(i)
        gw_synth_writer_write(writer, f)
        gw_frame_free(f)
    }
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
        try enc.encode(scene.truth).write(to: URL(fileURLWithPath: truthPath))
    } catch {
        throw VisionError("cannot write truth file \(truthPath): \(error.localizedDescription); check the folder exists and is writable")
    }
    return scene.truth
}

/// How well the reference SSDLite model sees a scene's walkers.
public struct SyntheticRecall: Sendable, CustomStringConvertible {
    public var spec: String
    /// Walker-frames with the walker's box wholly inside the picture.
    public var walkerFrames: Int
    public var detected: Int
    public var recall: Double { walkerFrames > 0 ? Double(detected) / Double(walkerFrames) : 1 }
    /// Detections matching no walker (IoU < threshold with every box).
    public var falseDetections: Int
    /// Detections covering two walkers at once (half of each box inside it): people too close.
    public var mergedDetections: Int = 0
    public var frames: Int
    public var renderMsPerFrame: Double
    public var detectMsPerFrame: Double
    public var description: String {
        String(format: "%@: recall %.3f (%d/%d walker-frames), %d unmatched and %d merged detections, render %.1f ms/frame, detect %.1f ms/frame",
               spec, recall, detected, walkerFrames, falseDetections, mergedDetections, renderMsPerFrame, detectMsPerFrame)
    }
}

/// Renders a scene and runs the reference SSDLite model on every `every`-th frame,
/// matching detections to walker boxes one-to-one by IoU.
public func measureSyntheticRecall(spec: SceneSpec, minScore: Double = 0.4, minIoU: Double = 0.4, every: Int = 1,
                                   modelDirectory: String = SpriteBank.defaultModelDirectory) throws -> SyntheticRecall {
    var err = [CChar](repeating: 0, count: 512)
    guard let ssd = gw_synth_ssd_open(modelDirectory + "/frozen_inference_graph.pb", modelDirectory + "/ssdlite-person.pbtxt",
                                      &err, Int32(err.count)) else { throw VisionError(String(cString: err)) }
    defer { gw_synth_ssd_free(ssd) }
    let scene = SyntheticScene(spec: spec)
    let renderer = try SyntheticRenderer(scene: scene, bank: spec.isOverhead ? nil : try SpriteBank.shared())
    var result = SyntheticRecall(spec: spec.uri, walkerFrames: 0, detected: 0, falseDetections: 0, frames: 0,
                                 renderMsPerFrame: 0, detectMsPerFrame: 0)
    var renderS = 0.0, detectS = 0.0
    var boxes = [Float](repeating: 0, count: 400), scores = [Float](repeating: 0, count: 100)
    let end = min(spec.frames, spec.tamperFrame ?? spec.frames)
    let debug = ProcessInfo.processInfo.environment["GW_SYNTH_DEBUG"] != nil
    for i in stride(from: 0, to: end, by: max(1, every)) {
        let t0 = Date()
        let f = try renderer.render(i)
        let t1 = Date()
        let n = Int(gw_synth_ssd_detect(ssd, f, Float(minScore), &boxes, &scores, 100))
        detectS += Date().timeIntervalSince(t1); renderS += t1.timeIntervalSince(t0)
        gw_frame_free(f)
        result.frames += 1
        var dets: [Rect] = []
        for k in 0..<max(0, n) {
            let x1 = Double(boxes[4 * k]), y1 = Double(boxes[4 * k + 1])
            let x2 = Double(boxes[4 * k + 2]), y2 = Double(boxes[4 * k + 3])
            dets.append(Rect(x: x1, y: y1, width: x2 - x1, height: y2 - y1))
        }
        let truth: [Rect] = renderer.walkers(at: i).map { $0.box }.filter { (r: Rect) -> Bool in
            r.minX >= 0 && r.minY >= 0 && r.maxX <= 1 && r.maxY <= 1
        }
        var pairs: [(Double, Int, Int)] = []
        for (a, tb) in truth.enumerated() { for (b, d) in dets.enumerated() { let o = tb.iou(d); if o >= minIoU { pairs.append((o, a, b)) } } }
        pairs.sort { $0.0 > $1.0 }
        var usedT = Set<Int>(), usedD = Set<Int>()
        for (_, a, b) in pairs where !usedT.contains(a) && !usedD.contains(b) { usedT.insert(a); usedD.insert(b) }
        let seqs: [Int32] = renderer.walkers(at: i).filter { r in r.box.minX >= 0 && r.box.minY >= 0 && r.box.maxX <= 1 && r.box.maxY <= 1 }.map { $0.sprite.seq }
        result.walkerFrames += truth.count
        result.detected += usedT.count
        if debug {
            FileHandle.standardError.write(Data("frame \(i) dets \(dets.map { String(format: "[%.2f %.2f %.2f %.2f]", $0.minX, $0.minY, $0.width, $0.height) }) truth \(truth.map { String(format: "[%.2f %.2f %.2f %.2f]", $0.minX, $0.minY, $0.width, $0.height) })\n".utf8))
            for (a, tb) in truth.enumerated() where !usedT.contains(a) {
                let best = dets.map { tb.iou($0) }.max() ?? 0
                FileHandle.standardError.write(Data(String(format: "miss frame %d h=%.3f y=%.2f bestIoU=%.2f seq %d\n", i, tb.height, tb.maxY, best, seqs[a]).utf8))
            }
        }
        for d in dets {
            let covered = truth.filter { t in (t.intersection(d)?.area ?? 0) >= 0.5 * t.area }
            if covered.count >= 2 { result.mergedDetections += 1 }
        }
        // Detections of walkers partly outside the picture are not false.
        let all = renderer.walkers(at: i).map(\.box)
        for (b, d) in dets.enumerated() where !usedD.contains(b) && !all.contains(where: { $0.iou(d) >= 0.2 }) { result.falseDetections += 1 }
    }
    if result.frames > 0 {
        result.renderMsPerFrame = renderS * 1000 / Double(result.frames)
        result.detectMsPerFrame = detectS * 1000 / Double(result.frames)
    }
    return result
}

/// Saves one rendered frame of a scene as an image (PNG or JPEG by extension), for a look.
public func saveSyntheticFrame(spec: SceneSpec, index: Int, path: String) throws {
    let scene = SyntheticScene(spec: spec)
    let renderer = try SyntheticRenderer(scene: scene, bank: spec.isOverhead ? nil : try SpriteBank.shared())
    let f = try renderer.render(index)
    defer { gw_frame_free(f) }
    if gw_synth_save_image(f, path) != 0 { throw VisionError("cannot write image \(path): check the folder and the extension (.png, .jpg)") }
}
