import CVisionLoader
import Foundation
import GateCore
import GateVision

/// Writes a scene as an MJPG .avi (the production `VideoWriter`) plus its ground truth as
/// JSON; returns the truth.
@discardableResult
public func writeSyntheticClip(spec: SceneSpec, videoPath: String, truthPath: String) throws -> SceneTruth {
    try spec.validate()
    let scene = SyntheticScene(spec: spec)
    let renderer = try SyntheticRenderer(scene: scene, bank: spec.isOverhead ? nil : try SpriteBank.shared())
    let folder = (videoPath as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
        throw VisionError("cannot write video \(videoPath): the folder \(folder) does not exist or is not writable")
    }
    let writer = try VideoWriter(path: videoPath, fps: spec.fps, width: spec.width, height: spec.height)
    defer { writer.close() }
    for i in 0..<spec.frames {
        try writer.write(try renderer.renderFrame(i))
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

/// Saves one rendered frame of a scene as an image (PNG or JPEG by extension), for a look.
public func saveSyntheticFrame(spec: SceneSpec, index: Int, path: String) throws {
    let scene = SyntheticScene(spec: spec)
    let renderer = try SyntheticRenderer(scene: scene, bank: spec.isOverhead ? nil : try SpriteBank.shared())
    try renderer.renderFrame(index).writeImage(to: path)
}
