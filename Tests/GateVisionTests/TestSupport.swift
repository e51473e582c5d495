import Foundation
import GateCore
import GateVision
import XCTest

let footageDir = "/usr/share/doc/opencv-doc/examples/data"
let vtestPath = footageDir + "/vtest.avi"
let treePath = footageDir + "/tree.avi"

func requireFile(_ path: String, _ what: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw XCTSkip("\(what) missing at \(path) (install the Debian package opencv-doc)")
    }
}

func requireModel() throws -> ModelFiles {
    guard let m = try ModelLocator().locate() else {
        throw XCTSkip("person model not installed (run setup: frozen_inference_graph.pb + ssdlite-person.pbtxt)")
    }
    return m
}

func requireYOLOXModel() throws -> String {
    guard let path = try ModelLocator().locateYOLOX() else {
        throw XCTSkip("YOLOX-Nano model not installed (run scripts/setup: \(ModelLocator.yoloxName))")
    }
    return path
}

func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "gwvision-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Frame `index` (0-based) of a clip.
func frame(of path: String, at index: Int) throws -> Frame {
    let s = FileSource(path: path)
    try s.open()
    defer { s.close() }
    while let f = try s.read() {
        if f.index == index { return f }
    }
    throw VisionError("\(path) has no frame \(index)")
}

/// Writes a clip of a white square moving right over grey: `moving: false` keeps it still.
func writeClip(_ path: String, frames: Int = 20, fps: Double = 10, width: Int = 160, height: Int = 120,
               moving: Bool = true) throws {
    let w = try VideoWriter(path: path, fps: fps, width: width, height: height)
    for i in 0..<frames {
        let f = Frame.blank(width: width, height: height)
        f.fill(x: 0, y: 0, width: width, height: height, blue: 90, green: 90, red: 90)
        f.fill(x: 10 + (moving ? i * 5 : 0), y: 40, width: 20, height: 40, blue: 250, green: 250, red: 250)
        try w.write(f)
    }
    w.close()
}

/// Counts calls; optionally slow. A test double for the pipeline's scheduling.
final class CountingDetector: PersonDetector {
    let name = "counting"
    var calls = 0
    var delay: TimeInterval = 0
    var result: [Detection] = []
    init(delay: TimeInterval = 0) { self.delay = delay }
    func detect(_ frame: Frame) throws -> [Detection] {
        calls += 1
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return result
    }
}

func assertOneLine(_ error: Error, contains needle: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let e = error as? VisionError else { return XCTFail("not a VisionError: \(error)", file: file, line: line) }
    print("error line: \(e.message)")
    XCTAssertFalse(e.message.contains("\n"), "message spans lines: \(e.message)", file: file, line: line)
    XCTAssertTrue(e.message.contains(needle), "'\(e.message)' lacks '\(needle)'", file: file, line: line)
    XCTAssertLessThan(e.message.count, 300, file: file, line: line)
}
