import Foundation
import GateCore
import GateVision
import XCTest

final class YOLOXTests: XCTestCase {
    /// Heights in pixels of the upright boxes (a standing person, height >= 1.5 x width)
    /// found on every 16th frame of vtest.avi (50 frames). Squarer boxes are parts of people:
    /// SSDLite boxes the upper half of a 55 px walker as 23x23 on frame 720.
    private func uprightHeights(_ detector: PersonDetector) throws -> (heights: [Double], frames: Int) {
        let s = FileSource(path: vtestPath)
        try s.open()
        defer { s.close() }
        var heights: [Double] = [], frames = 0
        while let f = try s.read(), frames < 50 {
            guard f.index % 16 == 0 else { continue }
            frames += 1
            for d in try detector.detect(f) {
                XCTAssertTrue(d.box.minX >= 0 && d.box.maxX <= 1 && d.box.minY >= 0 && d.box.maxY <= 1)
                XCTAssertGreaterThanOrEqual(d.score, 0.4)
                let (w, h) = (d.box.width * Double(f.width), d.box.height * Double(f.height))
                if h >= 1.5 * w { heights.append(h) }
            }
        }
        return (heights.sorted(), frames)
    }

    func testYOLOXFindsPeopleOnVtestIncludingSmallerOnesThanSSDLite() throws {
        try requireFile(vtestPath, "vtest.avi")
        let yolox = try uprightHeights(YOLOXDetector(modelPath: try requireYOLOXModel(), minScore: 0.4))
        let ssd = try uprightHeights(SSDLiteDetector(model: try requireModel(), minScore: 0.4))
        let (y, s) = (yolox.heights, ssd.heights)
        XCTAssertEqual(yolox.frames, 50)
        XCTAssertFalse(y.isEmpty || s.isEmpty)
        guard !y.isEmpty, !s.isEmpty else { return }
        let (y5, s5) = (y[y.count / 20], s[s.count / 20])
        print(String(format: "vtest, 50 frames, upright people: yolox %d, smallest %.0f px, 5th percentile %.0f px, under 50 px %d; "
                     + "ssdlite %d, smallest %.0f px, 5th percentile %.0f px, under 50 px %d",
                     y.count, y[0], y5, y.filter { $0 < 50 }.count, s.count, s[0], s5, s.filter { $0 < 50 }.count))
        // vtest holds 3-8 people a frame; YOLOX must find them at least as often as SSDLite.
        XCTAssertGreaterThanOrEqual(y.count, 150)
        XCTAssertGreaterThanOrEqual(y.count, s.count)
        // The far people: YOLOX's smallest person, and its small end as a whole, are smaller.
        XCTAssertLessThan(y[0], s[0])
        XCTAssertLessThan(y5, s5 * 0.8)
    }

    func testYOLOXBoxesSitOnThePeopleSSDLiteFinds() throws {
        try requireFile(vtestPath, "vtest.avi")
        let frame = try frame(of: vtestPath, at: 100)
        let yolox = try YOLOXDetector(modelPath: try requireYOLOXModel(), minScore: 0.4).detect(frame)
        let ssd = try SSDLiteDetector(model: try requireModel(), minScore: 0.5).detect(frame)
        XCTAssertGreaterThanOrEqual(ssd.count, 2)
        // Same coordinate convention (normalised, top-left origin): each confident SSDLite
        // person overlaps a YOLOX box.
        for s in ssd {
            let best = yolox.map { $0.box.iou(s.box) }.max() ?? 0
            XCTAssertGreaterThan(best, 0.5, "ssdlite box \(s.box) has no matching yolox box (best IoU \(best))")
        }
    }

    /// A site mixing detectors: the engine loads YOLOX once like SSDLite, and a feed's
    /// shared YOLOX finds what its own YOLOXDetector finds.
    func testTheDetectionEngineSharesYOLOXLikeSSDLite() throws {
        try requireFile(vtestPath, "vtest.avi")
        let path = try requireYOLOXModel()
        _ = try requireModel()
        let engine = DetectionEngine(workers: 1)
        defer { engine.close() }
        let line = LineConfig(id: "l", name: "l", from: Point(0.4, 0.2), to: Point(0.4, 0.7), inside: Point(0.7, 0.4))
        let feeds = [DetectorKind.yolox, .ssdlite, .yolox].enumerated().map {
            FeedConfig(id: "f\($0.offset)", name: "f", source: vtestPath, detector: $0.element, confidence: 0.4, lines: [line])
        }
        var warnings: [String] = []
        let detectors = try feeds.map { try engine.detector(for: $0, warn: { warnings.append($0) }) }
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(detectors.map(\.name), ["yolox", "ssdlite", "yolox"])
        XCTAssertEqual(engine.loadedModels, 2, "one YOLOX and one SSDLite for three feeds")
        let picture = try frame(of: vtestPath, at: 100)
        let expected = try YOLOXDetector(modelPath: path, minScore: 0.4).detect(picture)
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(try detectors[2].detect(picture), expected)
    }

    func testTruncatedAndWrongKindModelFilesFailWithOneLineNamingFileAndDetector() throws {
        let model = try requireYOLOXModel()
        let dir = try makeTempDir()
        let truncated = dir + "/truncated.onnx", text = dir + "/notes.onnx"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        try Data("these are my notes, not a model\n".utf8).write(to: URL(fileURLWithPath: text))
        for path in [truncated, text, dir + "/missing.onnx"] {
            XCTAssertThrowsError(try YOLOXDetector(modelPath: path)) { error in
                assertOneLine(error, contains: path)
                assertOneLine(error, contains: "yolox")
            }
        }
        // Another ONNX-sized binary is not YOLOX either: SSDLite's graph under the YOLOX name.
        let other = dir + "/other.onnx"
        try FileManager.default.copyItem(atPath: try requireModel().graph, toPath: other)
        XCTAssertThrowsError(try YOLOXDetector(modelPath: other)) { assertOneLine($0, contains: other) }
    }

    func testLocatorFindsYOLOXBesideSSDLiteAndHonoursExplicitPaths() throws {
        let dir = try makeTempDir(), empty = try makeTempDir()
        let fm = FileManager.default
        _ = fm.createFile(atPath: dir + "/yolox-nano.onnx", contents: Data([1]))
        _ = fm.createFile(atPath: dir + "/frozen_inference_graph.pb", contents: Data([1]))
        let loc = ModelLocator(environment: ["GATEWATCH_MODEL_DIR": dir], homeDirectory: empty, installDirectories: [empty])
        XCTAssertEqual(try loc.locateYOLOX(), dir + "/yolox-nano.onnx")
        XCTAssertEqual(try loc.locateYOLOX(explicit: dir), dir + "/yolox-nano.onnx")
        XCTAssertEqual(try loc.locateYOLOX(explicit: dir + "/frozen_inference_graph.pb"), dir + "/yolox-nano.onnx")
        XCTAssertEqual(try loc.locateYOLOX(explicit: dir + "/yolox-nano.onnx"), dir + "/yolox-nano.onnx")
        XCTAssertThrowsError(try loc.locateYOLOX(explicit: dir + "/nope.onnx")) { assertOneLine($0, contains: "nope.onnx") }
        XCTAssertThrowsError(try loc.locateYOLOX(explicit: empty)) { assertOneLine($0, contains: "yolox-nano.onnx") }
        XCTAssertNil(try ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [empty]).locateYOLOX())
    }

    func testMissingYOLOXFallsBackToSSDLiteElseHOGWithOneWarning() throws {
        let empty = try makeTempDir()
        var warnings: [String] = []
        let nowhere = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [empty])
        XCTAssertEqual(try makeDetector(kind: .yolox, locator: nowhere, warn: { warnings.append($0) }).name, "hog")
        let ssd = try requireModel()
        let ssdOnly = try makeTempDir()
        for file in [ssd.graph, ssd.textGraph] {
            try FileManager.default.createSymbolicLink(atPath: ssdOnly + "/" + (file as NSString).lastPathComponent,
                                                       withDestinationPath: file)
        }
        let withSSD = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [ssdOnly])
        XCTAssertEqual(try makeDetector(kind: .yolox, locator: withSSD, warn: { warnings.append($0) }).name, "ssdlite")
        XCTAssertEqual(warnings.count, 2)
        for w in warnings {
            XCTAssertFalse(w.contains("\n"))
            XCTAssertTrue(w.contains("yolox-nano.onnx") && w.contains("scripts/setup"), w)
        }
        XCTAssertTrue(warnings[0].contains("HOG") && warnings[1].contains("ssdlite"), "\(warnings)")
    }
}
