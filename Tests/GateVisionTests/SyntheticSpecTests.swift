import XCTest
import GateCore
@testable import GateSynth
import GateVision

final class SyntheticSpecTests: XCTestCase {
    func testParsesFullSpec() throws {
        let s = try SceneSpec.parse("synthetic:kind=pairs,seed=3,people=12,frames=600,fps=10,width=640,height=480,line=0.1:0.5:0.9:0.6,inside=0.5:0.95,cover=100,shift=200,freeze=300,loop,realtime,noise=5")
        XCTAssertEqual(s.kind, .pairs); XCTAssertEqual(s.seed, 3); XCTAssertEqual(s.people, 12)
        XCTAssertEqual(s.frames, 600); XCTAssertEqual(s.fps, 10); XCTAssertEqual(s.width, 640); XCTAssertEqual(s.height, 480)
        XCTAssertEqual(s.lineFrom, Point(0.1, 0.5)); XCTAssertEqual(s.lineTo, Point(0.9, 0.6)); XCTAssertEqual(s.inside, Point(0.5, 0.95))
        XCTAssertEqual(s.cover, 100); XCTAssertEqual(s.shift, 200); XCTAssertEqual(s.freeze, 300)
        XCTAssertTrue(s.loop); XCTAssertTrue(s.realtime); XCTAssertEqual(s.noise, 5)
        XCTAssertEqual(s.tamperFrame, 100)
        XCTAssertEqual(try SceneSpec.parse(s.uri), s, "the canonical URI parses back to the same spec")
    }

    func testDefaults() throws {
        let s = try SceneSpec.parse("synthetic:")
        XCTAssertEqual(s.kind, .mixed); XCTAssertEqual(s.people, 12); XCTAssertEqual(s.frames, 600)
        XCTAssertEqual(s.width, 768); XCTAssertEqual(s.height, 576)
        XCTAssertEqual(s.lineFrom, Point(0.05, 0.55)); XCTAssertEqual(s.lineTo, Point(0.95, 0.55)); XCTAssertEqual(s.inside, Point(0.5, 0.9))
        XCTAssertFalse(s.loop); XCTAssertFalse(s.realtime); XCTAssertNil(s.tamperFrame)
        XCTAssertEqual(try SceneSpec.parse("synthetic:crowd").people, 24, "crowds default to 24 people")
        XCTAssertEqual(try SceneSpec.parse("synthetic:kind=crowd,people=30").people, 30)
        XCTAssertEqual(try SceneSpec.parse("synthetic:overhead").kind, .overhead)
    }

    func testBadSpecsGiveOneClearLine() {
        let cases: [(String, String)] = [
            ("camera:1", "must start with 'synthetic:'"),
            ("synthetic:kind=zoo", "kind=zoo is unknown"),
            ("synthetic:people=abc", "people=abc is not a whole number"),
            ("synthetic:people=0", "outside 1…500"),
            ("synthetic:colour=red", "unknown key 'colour'"),
            ("synthetic:line=0.1:0.5:1.4:0.5", "between 0 and 1"),
            ("synthetic:line=0.1:0.5", "needs 4 numbers"),
            ("synthetic:inside=0.5:0.55", "inside point lies on the line"),
            ("synthetic:frames=100,cover=100", "cover=100 is not before the last frame"),
            ("synthetic:fps=0", "fps=0 is outside"),
            ("synthetic:loop=maybe", "must be true or false"),
            ("synthetic:wibble", "neither key=value"),
        ]
        for (uri, expected) in cases {
            XCTAssertThrowsError(try SceneSpec.parse(uri), uri) { e in
                let msg = "\(e)"
                XCTAssertTrue(msg.contains(expected), "\(uri): \(msg)")
                XCTAssertTrue(msg.contains(uri), "message names the spec: \(msg)")
                XCTAssertFalse(msg.contains("\n"))
            }
        }
    }

    func testSplitMix64KnownValues() {
        // Reference values of SplitMix64 for seed 0 (Vigna's splitmix64.c).
        var r = SplitMix64(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.unit(), b.unit()) }
        for _ in 0..<1000 { let u = a.unit(); XCTAssertTrue(u >= 0 && u < 1) }
    }
}
