import Foundation
import GateCore
import GateVision
import XCTest

final class DetectorTests: XCTestCase {
    func testSSDLiteFindsPeopleOnVtestFrame100() throws {
        try requireFile(vtestPath, "vtest.avi")
        let detector = try SSDLiteDetector(model: try requireModel(), minScore: 0.4)
        let dets = try detector.detect(try frame(of: vtestPath, at: 100))
        print("ssdlite on vtest frame 100: \(dets.count) people, scores \(dets.map { String(format: "%.2f", $0.score) })")
        XCTAssertGreaterThanOrEqual(dets.count, 2)
        for d in dets {
            XCTAssertGreaterThanOrEqual(d.score, 0.4)
            XCTAssertTrue(d.box.minX >= 0 && d.box.maxX <= 1 && d.box.minY >= 0 && d.box.maxY <= 1)
            // People on vtest are small upright figures, not the whole frame.
            XCTAssertLessThan(d.box.area, 0.2)
            XCTAssertGreaterThan(d.box.height, d.box.width * 0.8)
        }
    }

    func testSSDLiteFindsAlmostNobodyInTree() throws {
        try requireFile(treePath, "tree.avi")
        let detector = try SSDLiteDetector(model: try requireModel(), minScore: 0.4)
        let s = FileSource(path: treePath)
        try s.open()
        var frames = 0, found = 0
        while let f = try s.read() {
            guard f.index % 10 == 0 else { continue }
            frames += 1
            found += try detector.detect(f).count
        }
        print("ssdlite on tree.avi: \(found) detections on \(frames) sampled frames")
        XCTAssertGreaterThan(frames, 5)
        XCTAssertLessThanOrEqual(Double(found) / Double(frames), 0.2)
    }

    func testHOGRunsAndReturnsNormalisedBoxes() throws {
        try requireFile(vtestPath, "vtest.avi")
        let hog = HOGDetector()
        let dets = try hog.detect(try frame(of: vtestPath, at: 100))
        print("hog on vtest frame 100: \(dets.count) people")
        for d in dets {
            XCTAssertTrue(d.box.minX >= 0 && d.box.maxX <= 1 && d.box.minY >= 0 && d.box.maxY <= 1)
            XCTAssertGreaterThanOrEqual(d.score, 0.5)
        }
        XCTAssertTrue(try hog.detect(Frame.blank(width: 320, height: 240)).isEmpty, "a black frame holds nobody")
    }

    func testMotionBlobsFindWalkersAfterLearningTheBackground() throws {
        try requireFile(vtestPath, "vtest.avi")
        let det = MotionBlobDetector()
        let s = FileSource(path: vtestPath)
        try s.open()
        var last: [Detection] = []
        while let f = try s.read(), f.index <= 100 { last = try det.detect(f) }
        print("motion blobs on vtest frame 100: \(last.count)")
        XCTAssertGreaterThanOrEqual(last.count, 2)
        for d in last { XCTAssertLessThanOrEqual(d.box.area, 0.25) }
    }

    func testMotionBlobsSplitSideBySidePairs() throws {
        let det = MotionBlobDetector(personWidth: 0.1)
        let bg = Frame.blank(width: 320, height: 240)
        for _ in 0..<30 { _ = try det.detect(bg) }
        let f = Frame.blank(width: 320, height: 240)
        f.fill(x: 100, y: 80, width: 64, height: 60, blue: 255, green: 255, red: 255) // two people wide
        let dets = try det.detect(f)
        XCTAssertEqual(dets.count, 2)
        let single = MotionBlobDetector()
        for _ in 0..<30 { _ = try single.detect(bg) }
        XCTAssertEqual(try single.detect(f).count, 1)
    }

    func testModelLocatorOrderAndErrors() throws {
        let dir = try makeTempDir()
        let fm = FileManager.default
        _ = fm.createFile(atPath: dir + "/frozen_inference_graph.pb", contents: Data([1]))
        _ = fm.createFile(atPath: dir + "/ssdlite-person.pbtxt", contents: Data([1]))
        let empty = try makeTempDir()
        let loc = ModelLocator(environment: ["GATEWATCH_MODEL_DIR": dir], homeDirectory: empty, installDirectories: [empty])
        XCTAssertEqual(try loc.locate(), ModelFiles(graph: dir + "/frozen_inference_graph.pb", textGraph: dir + "/ssdlite-person.pbtxt"))
        XCTAssertEqual(try loc.locate(explicit: dir)?.graph, dir + "/frozen_inference_graph.pb")
        XCTAssertEqual(try loc.locate(explicit: dir + "/frozen_inference_graph.pb")?.textGraph, dir + "/ssdlite-person.pbtxt")
        XCTAssertThrowsError(try loc.locate(explicit: dir + "/nope.pb")) { assertOneLine($0, contains: "nope.pb") }
        let lonely = try makeTempDir()
        _ = fm.createFile(atPath: lonely + "/model.pb", contents: Data([1]))
        XCTAssertThrowsError(try loc.locate(explicit: lonely + "/model.pb")) { assertOneLine($0, contains: ".pbtxt") }
        let nowhere = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [empty])
        XCTAssertNil(try nowhere.locate())
        XCTAssertEqual(ModelLocator(environment: [:], homeDirectory: "/home/u").searchDirectories,
                       ["/usr/local/share/gatewatch/models", "/home/u/.local/share/gatewatch/models", "/usr/share/gatewatch/models"])
    }

    func testFactoryFallsBackToHOGWithOneWarning() throws {
        let empty = try makeTempDir()
        let nowhere = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [empty])
        var warnings: [String] = []
        let d = try makeDetector(kind: .ssdlite, locator: nowhere, warn: { warnings.append($0) })
        XCTAssertEqual(d.name, "hog")
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("--model"))
        XCTAssertFalse(warnings[0].contains("\n"))
        XCTAssertThrowsError(try makeDetector(kind: .ssdlite, modelPath: empty + "/missing.pb", locator: nowhere, warn: { warnings.append($0) })) {
            assertOneLine($0, contains: "missing.pb")
        }
        XCTAssertEqual(try makeDetector(kind: .motion, locator: nowhere).name, "motion")
        XCTAssertEqual(try makeDetector(kind: .hog, locator: nowhere).name, "hog")
    }

    /// A damaged installed model: `fall_back` warns once naming the file and uses the next
    /// model down; `stop_feed` throws that line (the feed stops); missing models likewise.
    func testDamagedOrMissingModelFallsBackOrStopsAsTheConfigSays() throws {
        let ssd = try requireModel()
        let dir = try makeTempDir(), empty = try makeTempDir()
        for f in [ssd.graph, ssd.textGraph] {
            try FileManager.default.copyItem(atPath: f, toPath: dir + "/" + (f as NSString).lastPathComponent)
        }
        let damaged = dir + "/" + ModelLocator.yoloxName
        try Data("not a model\n".utf8).write(to: URL(fileURLWithPath: damaged))
        let here = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [dir])
        var warnings: [String] = []
        let d = try makeDetector(kind: .yolox, onModelError: .fallBack, locator: here, warn: { warnings.append($0) })
        XCTAssertEqual(d.name, "ssdlite")
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings[0].contains(damaged) && warnings[0].contains("yolox"), warnings[0])
        XCTAssertFalse(warnings[0].contains("\n"))
        XCTAssertThrowsError(try makeDetector(kind: .yolox, onModelError: .stopFeed, locator: here, warn: { warnings.append($0) })) {
            assertOneLine($0, contains: damaged)
        }
        let nowhere = ModelLocator(environment: [:], homeDirectory: empty, installDirectories: [empty])
        XCTAssertThrowsError(try makeDetector(kind: .ssdlite, onModelError: .stopFeed, locator: nowhere)) {
            assertOneLine($0, contains: ModelLocator.graphName)
        }
        XCTAssertThrowsError(try makeDetector(kind: .yolox, onModelError: .stopFeed, locator: nowhere)) {
            assertOneLine($0, contains: ModelLocator.yoloxName)
        }
        XCTAssertEqual(warnings.count, 1, "stop_feed warns nothing: it throws its line")
    }

    func testFactoryLoadsInstalledModel() throws {
        _ = try requireModel()
        var warnings: [String] = []
        let d = try makeDetector(kind: .ssdlite, warn: { warnings.append($0) })
        XCTAssertEqual(d.name, "ssdlite")
        XCTAssertTrue(warnings.isEmpty)
    }

    func testCorruptModelFailsWithOneLine() throws {
        let dir = try makeTempDir()
        let fm = FileManager.default
        _ = fm.createFile(atPath: dir + "/frozen_inference_graph.pb", contents: Data("not a graph".utf8))
        _ = fm.createFile(atPath: dir + "/ssdlite-person.pbtxt", contents: Data("garbage {".utf8))
        XCTAssertThrowsError(try SSDLiteDetector(model: ModelFiles(graph: dir + "/frozen_inference_graph.pb",
                                                                   textGraph: dir + "/ssdlite-person.pbtxt"))) {
            assertOneLine($0, contains: "frozen_inference_graph.pb")
        }
    }
}
