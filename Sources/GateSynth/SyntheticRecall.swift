import CVisionLoader
import Foundation
import GateCore
import GateVision

/// How well the production SSDLite detector sees a scene's walkers.
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

/// Renders a scene and runs the production SSDLite detector on every `every`-th frame,
/// matching detections to walker boxes one-to-one by IoU.
public func measureSyntheticRecall(spec: SceneSpec, minScore: Double = 0.4, minIoU: Double = 0.4, every: Int = 1,
                                   modelDirectory: String = SpriteBank.defaultModelDirectory) throws -> SyntheticRecall {
    let model = ModelFiles(graph: modelDirectory + "/" + ModelLocator.graphName,
                           textGraph: modelDirectory + "/" + ModelLocator.textGraphName)
    let detector = try SSDLiteDetector(model: model, minScore: minScore)
    let renderer = try SyntheticRenderer(scene: SyntheticScene(spec: spec), bank: spec.isOverhead ? nil : try SpriteBank.shared())
    var result = SyntheticRecall(spec: spec.uri, walkerFrames: 0, detected: 0, falseDetections: 0, frames: 0,
                                 renderMsPerFrame: 0, detectMsPerFrame: 0)
    var renderS = 0.0, detectS = 0.0
    let end = min(spec.frames, spec.tamperFrame ?? spec.frames)
    for i in stride(from: 0, to: end, by: max(1, every)) {
        let t0 = Date()
        let frame = try renderer.renderFrame(i)
        let t1 = Date()
        let dets = try detector.detect(frame).map(\.box)
        detectS += Date().timeIntervalSince(t1); renderS += t1.timeIntervalSince(t0)
        result.frames += 1
        result.tally(frame: i, detections: dets, walkers: renderer.walkers(at: i), minIoU: minIoU)
    }
    if result.frames > 0 {
        result.renderMsPerFrame = renderS * 1000 / Double(result.frames)
        result.detectMsPerFrame = detectS * 1000 / Double(result.frames)
    }
    return result
}

extension SyntheticRecall {
    /// Adds one frame: walkers wholly in the picture are matched one-to-one (best IoU first).
    mutating func tally(frame i: Int, detections dets: [Rect], walkers: [(state: WalkerState, box: Rect, sprite: gw_synth_walker)],
                        minIoU: Double) {
        let whole = walkers.filter { w in w.box.minX >= 0 && w.box.minY >= 0 && w.box.maxX <= 1 && w.box.maxY <= 1 }
        let truth = whole.map(\.box)
        var pairs: [(Double, Int, Int)] = []
        for (a, tb) in truth.enumerated() { for (b, d) in dets.enumerated() { let o = tb.iou(d); if o >= minIoU { pairs.append((o, a, b)) } } }
        pairs.sort { $0.0 > $1.0 }
        var usedT = Set<Int>(), usedD = Set<Int>()
        for (_, a, b) in pairs where !usedT.contains(a) && !usedD.contains(b) { usedT.insert(a); usedD.insert(b) }
        walkerFrames += truth.count
        detected += usedT.count
        if ProcessInfo.processInfo.environment["GW_SYNTH_DEBUG"] != nil {
            FileHandle.standardError.write(Data("frame \(i) dets \(dets.map { String(format: "[%.2f %.2f %.2f %.2f]", $0.minX, $0.minY, $0.width, $0.height) }) truth \(truth.map { String(format: "[%.2f %.2f %.2f %.2f]", $0.minX, $0.minY, $0.width, $0.height) })\n".utf8))
            for (a, tb) in truth.enumerated() where !usedT.contains(a) {
                let best = dets.map { tb.iou($0) }.max() ?? 0
                FileHandle.standardError.write(Data(String(format: "miss frame %d h=%.3f y=%.2f bestIoU=%.2f seq %d\n", i, tb.height, tb.maxY, best, whole[a].sprite.seq).utf8))
            }
        }
        for d in dets {
            let covered = truth.filter { t in (t.intersection(d)?.area ?? 0) >= 0.5 * t.area }
            if covered.count >= 2 { mergedDetections += 1 }
        }
        // Detections of walkers partly outside the picture are not false.
        let all = walkers.map(\.box)
        for (b, d) in dets.enumerated() where !usedD.contains(b) && !all.contains(where: { $0.iou(d) >= 0.2 }) { falseDetections += 1 }
    }
}
