import ArgumentParser
import Foundation
import GateSynth
import GateVision

/// `gatewatch synth`: writes a synthetic clip (real people cut from vtest.avi, moved along
/// seeded paths) and its exact ground truth.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic gate clip (.avi, MJPG) and its exact crossings (JSON).",
        discussion: "Example: gatewatch synth --out pairs.avi --truth pairs.json --kind pairs --seed 3 --people 12"
    )

    @Option(help: "The video file to write (.avi).")
    var out: String

    @Option(help: "The ground-truth JSON file to write.")
    var truth: String

    @Option(help: "Scene kind: mixed, pairs, stops, turnbacks, along, crowd, both, overhead, far (30–70 px people at true perspective).")
    var kind: String = SceneKind.mixed.rawValue

    @Option(help: "Random seed: the same seed gives the same clip.")
    var seed: UInt64 = 1

    @Option(help: "Walkers in the scene (default 12, crowd 24).")
    var people: Int?

    @Option(help: "Frames to render.")
    var frames: Int = 600

    @Option(help: "Frames per second.")
    var fps: Double = 10

    @Option(help: "Counting line X1,Y1,X2,Y2 (normalised); default 0.05,0.55,0.95,0.55 (far: upright in the upper third).")
    var line: String?

    @Option(help: "Inside point X,Y; default 0.5,0.9.")
    var inside: String?

    @Option(help: "Cover the lens from this frame on (tamper test).")
    var cover: Int?

    @Option(help: "Move the camera from this frame on (tamper test).")
    var shift: Int?

    @Option(help: "Freeze the picture from this frame on.")
    var freeze: Int?

    @Option(help: "Any further scene settings as a synthetic: spec (overrides the options above).")
    var spec: String?

    func run() throws {
        try runReportingErrors {
            var parts = ["kind=\(kind)", "seed=\(seed)", "frames=\(frames)", "fps=\(fps)"]
            if let people { parts.append("people=\(people)") }
            if let line { parts.append("line=" + line.replacingOccurrences(of: ",", with: ":")) }
            if let inside { parts.append("inside=" + inside.replacingOccurrences(of: ",", with: ":")) }
            if let cover { parts.append("cover=\(cover)") }
            if let shift { parts.append("shift=\(shift)") }
            if let freeze { parts.append("freeze=\(freeze)") }
            var uri = "synthetic:" + parts.joined(separator: ",")
            if let spec {
                let extra = spec.hasPrefix("synthetic:") ? String(spec.dropFirst("synthetic:".count)) : spec
                uri += "," + extra
            }
            let sceneSpec = try SceneSpec.parse(uri)
            let t = try writeSyntheticClip(spec: sceneSpec, videoPath: out, truthPath: truth)
            print("wrote \(out) (\(t.frames) frames, \(t.width)x\(t.height) at \(t.fps) fps, \(t.walkers) walkers) "
                  + "and \(truth): in \(t.totalIn), out \(t.totalOut)")
        }
    }
}
