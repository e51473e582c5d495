import XCTest
import CVisionLoader
import GateCore
@testable import GateSynth
import GateVision

final class SyntheticRenderTests: XCTestCase {
    private func bankOrSkip() throws -> SpriteBank {
        guard FileManager.default.fileExists(atPath: SpriteBank.defaultVideoPath) else {
            throw XCTSkip("vtest.avi missing (install opencv-doc)")
        }
        return try SpriteBank.shared()
    }

    func testStreetFrameHasSizeAndWalkersDrawn() throws {
        let bank = try bankOrSkip()
        XCTAssertGreaterThan(bank.sequences, 5)
        let spec = try SceneSpec.parse("synthetic:kind=both,seed=2,people=6,frames=300,noise=0")
        let scene = SyntheticScene(spec: spec)
        let r = try SyntheticRenderer(scene: scene, bank: bank)
        // Pick a frame with a walker wholly inside the picture.
        guard let i = (0..<spec.frames).first(where: { f in r.walkers(at: f).contains { $0.box.minY > 0.05 && $0.box.maxY < 0.95 && $0.box.minX > 0.05 && $0.box.maxX < 0.95 } }) else {
            return XCTFail("no walker inside the picture")
        }
        let f = Frame(handle: try r.render(i), index: i, timestampMs: 0)
        XCTAssertEqual(f.width, 768); XCTAssertEqual(f.height, 576)
        // The walker's box must differ from the empty background; far corners must not.
        let box = r.walkers(at: i).first { $0.box.minY > 0.05 && $0.box.maxY < 0.95 && $0.box.minX > 0.05 && $0.box.maxX < 0.95 }!.box
        let bgFrame = try renderBackground(bank: bank)
        let diff = meanAbsDiff(f, bgFrame, box: box)
        XCTAssertGreaterThan(diff, 12, "walker box should differ from the background")
        let outside = Rect(x: 0.0, y: 0.0, width: 0.05, height: 0.05)
        XCTAssertLessThan(meanAbsDiff(f, bgFrame, box: outside), 3, "far from walkers the picture is the background")
    }

    private func renderBackground(bank: SpriteBank) throws -> Frame {
        let stage = gw_synth_stage_new(bank.handle, 0, 768, 576, 1)!
        defer { gw_synth_stage_free(stage) }
        let out = gw_frame_new(768, 576)!
        var err = [CChar](repeating: 0, count: 64)
        XCTAssertEqual(gw_synth_render(stage, bank.handle, out, nil, 0, 1, 0, &err, 64), 0)
        return Frame(handle: out, index: 0, timestampMs: 0)
    }

    private func meanAbsDiff(_ a: Frame, _ b: Frame, box: Rect) -> Double {
        let pa = gw_frame_data(a.handle)!, pb = gw_frame_data(b.handle)!
        let step = Int(gw_frame_step(a.handle))
        let x0 = max(0, Int(box.minX * 768)), x1 = min(767, Int(box.maxX * 768))
        let y0 = max(0, Int(box.minY * 576)), y1 = min(575, Int(box.maxY * 576))
        var s = 0, n = 0
        for y in y0...y1 { for x in x0...x1 { for c in 0..<3 { s += abs(Int(pa[y * step + x * 3 + c]) - Int(pb[y * step + x * 3 + c])); n += 1 } } }
        return Double(s) / Double(max(1, n))
    }

    func testSourceDeterministicAndTamper() throws {
        _ = try bankOrSkip()
        let spec = try SceneSpec.parse("synthetic:kind=mixed,seed=5,frames=40,cover=30,freeze=20")
        let a = SyntheticSource(spec: spec, startMs: 0), b = SyntheticSource(spec: spec, startMs: 0)
        try a.open(); try b.open()
        var frames: [Frame] = []
        while let f = try a.read() {
            let g = try b.read()!
            XCTAssertEqual(checksum(f), checksum(g), "frame \(f.index) differs between two runs of one seed")
            frames.append(f)
        }
        XCTAssertEqual(frames.count, 40)
        XCTAssertEqual(checksum(frames[21]), checksum(frames[25]), "frozen frames are identical")
        XCTAssertNotEqual(checksum(frames[10]), checksum(frames[11]), "noise changes live frames")
        let dark = mean(frames[35])
        XCTAssertLessThan(dark, 25, "covered lens is dark")
        XCTAssertFalse(a.isLive)
    }

    func testMissingFootageIsOneClearLine() {
        let dir = NSTemporaryDirectory() + "gw-nobank-\(getpid())"
        XCTAssertThrowsError(try SpriteBank(videoPath: "/nonexistent/vtest.avi", cacheDirectory: dir)) { e in
            let msg = "\(e)"
            XCTAssertTrue(msg.contains("/nonexistent/vtest.avi") && msg.contains("opencv-doc"), msg)
            XCTAssertFalse(msg.contains("\n"))
        }
    }

    /// The demo's first start shows how far the bank's build is: progress from 0 to 1, in order,
    /// and nothing at all when the bank comes from the cache.
    func testBuildReportsProgressAndTheCacheDoesNot() throws {
        let vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
        guard FileManager.default.fileExists(atPath: vtest), FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") else {
            throw XCTSkip("needs opencv-doc and ffmpeg (scripts/setup installs both)")
        }
        let dir = NSTemporaryDirectory() + "gw-bank-progress-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 120 frames of the real clip, no model: a build of a second or two.
        let clip = dir + "/short.avi"
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-loglevel", "error", "-i", vtest, "-frames:v", "120", "-c:v", "mjpeg", "-q:v", "3", clip]
        try ffmpeg.run(); ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0)
        var seen: [Double] = []
        let cache = dir + "/cache"
        XCTAssertFalse(SpriteBank.isCached(in: cache))
        _ = try SpriteBank(videoPath: clip, cacheDirectory: cache, modelDirectory: dir + "/no-model") { seen.append($0) }
        XCTAssertGreaterThan(seen.count, 5)
        XCTAssertEqual(seen, seen.sorted(), "progress never goes back")
        XCTAssertEqual(seen.first ?? -1, 0, accuracy: 0.05)
        XCTAssertEqual(seen.last, 1)
        XCTAssertTrue(SpriteBank.isCached(in: cache))
        var again: [Double] = []
        _ = try SpriteBank(videoPath: clip, cacheDirectory: cache, modelDirectory: dir + "/no-model") { again.append($0) }
        XCTAssertEqual(again, [], "a cached bank loads without a build")
    }

    func testOverheadNeedsNoBankAndLoops() throws {
        let spec = try SceneSpec.parse("synthetic:kind=overhead,seed=1,frames=5,people=3,loop,width=320,height=240")
        let s = SyntheticSource(spec: spec, startMs: 1000)
        try s.open()
        for _ in 0..<12 { let f = try s.read(); XCTAssertNotNil(f); XCTAssertEqual(f?.width, 320) }
        XCTAssertEqual(s.round, 2)
        XCTAssertEqual(s.spec.seed, 3)
    }

    func testClipWriterAndTruthFile() throws {
        _ = try bankOrSkip()
        let dir = NSTemporaryDirectory() + "gw-synth-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try SceneSpec.parse("synthetic:kind=both,seed=4,people=4,frames=200")
        let truth = try writeSyntheticClip(spec: spec, videoPath: dir + "/c.avi", truthPath: dir + "/t.json")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/t.json"))
        let back = try JSONDecoder().decode(SceneTruth.self, from: data)
        XCTAssertEqual(back, truth)
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/c.avi")[.size] as? NSNumber)?.intValue ?? 0
        XCTAssertGreaterThan(size, 200 * 5000)
        XCTAssertThrowsError(try writeSyntheticClip(spec: spec, videoPath: "/nonexistent/dir/c.avi", truthPath: dir + "/t2.json")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/dir/c.avi"))
        }
    }

    /// Side-by-side pairs must be two people to the real detector.
    func testPairsSeenAsTwoByDetector() throws {
        _ = try bankOrSkip()
        guard FileManager.default.fileExists(atPath: SpriteBank.defaultModelDirectory + "/frozen_inference_graph.pb") else {
            throw XCTSkip("person model not installed")
        }
        let spec = try SceneSpec.parse("synthetic:kind=pairs,seed=7,people=6,frames=300")
        let r = try measureSyntheticRecall(spec: spec, every: 2)
        print("recall \(r)")
        XCTAssertGreaterThan(r.walkerFrames, 50)
        XCTAssertEqual(r.mergedDetections, 0, "a pair must never be one box")
        XCTAssertGreaterThanOrEqual(r.recall, 0.85)
    }

    /// Recall of every kind with the real detector; slow, so only when asked:
    /// GW_SYNTH_RECALL=1 swift test --filter SyntheticRenderTests/testRecallAllKinds
    func testRecallAllKinds() throws {
        guard ProcessInfo.processInfo.environment["GW_SYNTH_RECALL"] != nil else { throw XCTSkip("set GW_SYNTH_RECALL=1") }
        _ = try bankOrSkip()
        for kind in SceneKind.allCases where kind != .overhead {
            let spec = SceneSpec(kind: kind, seed: 11, frames: 400)
            let r = try measureSyntheticRecall(spec: spec, every: 2)
            print("RECALL \(kind.rawValue) \(r)")
            try saveSyntheticFrame(spec: spec, index: bestFrame(spec), path: "/tmp/synth-\(kind.rawValue).png")
        }
    }

    /// Looking tool: GW_SYNTH_SAVE='synthetic:...|FRAME|/tmp/x.png' saves one rendered frame.
    func testSaveFrameWhenAsked() throws {
        guard let v = ProcessInfo.processInfo.environment["GW_SYNTH_SAVE"] else { throw XCTSkip("set GW_SYNTH_SAVE") }
        let parts = v.split(separator: "|").map(String.init)
        try saveSyntheticFrame(spec: try SceneSpec.parse(parts[0]), index: Int(parts[1])!, path: parts[2])
    }

    /// GW_SYNTH_CLIP='synthetic:...|/tmp/c.avi|/tmp/t.json' writes a clip and its truth.
    func testWriteClipWhenAsked() throws {
        guard let v = ProcessInfo.processInfo.environment["GW_SYNTH_CLIP"] else { throw XCTSkip("set GW_SYNTH_CLIP") }
        let p = v.split(separator: "|").map(String.init)
        let t0 = Date()
        let truth = try writeSyntheticClip(spec: try SceneSpec.parse(p[0]), videoPath: p[1], truthPath: p[2])
        print(String(format: "CLIP %d frames in %.2f s: in %d out %d", truth.frames, Date().timeIntervalSince(t0), truth.totalIn, truth.totalOut))
    }

    private func bestFrame(_ spec: SceneSpec) -> Int {
        let s = SyntheticScene(spec: spec)
        return (0..<spec.frames).max { s.walkers(at: $0).count < s.walkers(at: $1).count } ?? 0
    }

    private func checksum(_ f: Frame) -> UInt64 {
        let p = gw_frame_data(f.handle)!
        let n = Int(gw_frame_step(f.handle)) * f.height
        var h: UInt64 = 1469598103934665603
        for i in Swift.stride(from: 0, to: n, by: 7) { h = (h ^ UInt64(p[i])) &* 1099511628211 }
        return h
    }

    private func mean(_ f: Frame) -> Double {
        let p = gw_frame_data(f.handle)!
        let n = Int(gw_frame_step(f.handle)) * f.height
        var s = 0
        for i in Swift.stride(from: 0, to: n, by: 5) { s += Int(p[i]) }
        return Double(s) / Double(n / 5)
    }
}
