import Foundation
import GateCore
import GateVision

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
