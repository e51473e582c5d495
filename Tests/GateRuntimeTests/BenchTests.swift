import Foundation
import GateCore
@testable import GateRuntime
import XCTest

final class BenchTests: XCTestCase {
    func testOneShortStepMeasuresEverything() throws {
        let clip = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
        guard FileManager.default.fileExists(atPath: clip) else { throw XCTSkip("vtest.avi (opencv-doc) not installed") }
        var o = BenchOptions(clip: clip, lines: [LineConfig(id: "l", name: "l", from: Point(0.4, 0.22), to: Point(0.4, 0.66), inside: Point(0.7, 0.45))])
        o.maxFeeds = 1
        o.seconds = 3
        o.detector = .motion   // cheap: this checks the bookkeeping, not the machine
        let r = try Bench.run(o)
        XCTAssertEqual(r.sourceFps, 10, accuracy: 0.01)
        XCTAssertEqual(r.steps.count, 1)
        let s = r.steps[0]
        XCTAssertEqual(s.feeds, 1)
        XCTAssertEqual(s.framesExpected, 30)
        XCTAssertGreaterThan(s.framesProcessed, 20, "a paced 10 fps clip delivers about 30 frames in 3 s")
        XCTAssertLessThanOrEqual(s.framesProcessed, 32)
        XCTAssertEqual(s.held, s.reason == nil)
        XCTAssertGreaterThan(s.cpuPercent, 0)
        XCTAssertGreaterThan(s.peakMemoryMiB, 10)
        if s.crossingsStored > 0 {
            XCTAssertNotNil(s.latencyP50Ms)
            XCTAssertGreaterThanOrEqual(s.latencyP95Ms!, s.latencyP50Ms!)
        }
        let table = Bench.table(r)
        XCTAssertTrue(table.contains("most feeds held in real time"), table)
        let json = try Bench.json(r)
        let back = try JSONDecoder().decode(BenchResult.self, from: Data(json.utf8))
        XCTAssertEqual(back.steps, r.steps)
        print(table)
    }
}
