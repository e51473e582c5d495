import CVisionLoader
import Foundation
import GateCore
import GateVision

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

    /// Renders frame `index` as an owned `Frame` (for writers and detectors).
    public func renderFrame(_ index: Int) throws -> Frame {
        Frame(handle: try render(index), index: index, timestampMs: 0)
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
