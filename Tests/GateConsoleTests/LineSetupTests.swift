import XCTest
import GateCore
@testable import GateConsole

/// `gatewatch setup`'s screen on a scripted terminal: the editor's keys place the line, a click
/// lands where the picture is, Enter keeps, q and Esc leave, a signal ends it.
final class LineSetupTests: XCTestCase {
    func screen() -> LineSetup {
        let rgb = [UInt8](repeating: 90, count: 32 * 18 * 3)
        let picture = PreviewPicture(width: 32, height: 18, rgb: rgb, sourceWidth: 1280, sourceHeight: 720, timestampMs: 0)
        return LineSetup(title: "setup cam", picture: picture, feedId: "cam", lines: [], notes: ["privacy on"], language: .en)
    }

    func testArrowsMoveTheEndAndEnterKeepsTheLines() throws {
        var s = screen()
        let backend = ScriptedBackend(ScriptedBackend.keys(.right, .right, .shiftDown, .char("i"), .enter), width: 80, height: 24)
        guard case .placed(let lines) = s.loop(backend) else { return XCTFail("not placed:\n\(backend.screen)") }
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines[0].id, "cam-line1")
        XCTAssertEqual(lines[0].from, Point(x: 0.14, y: 0.505))
        XCTAssertEqual(lines[0].to, Point(x: 0.9, y: 0.5))
        XCTAssertLessThan(lines[0].inside.y, 0.5, "i flipped the in-side above the line")
        XCTAssertTrue(backend.after(1).contains("A 0.140,0.500"), backend.after(1))
        XCTAssertTrue(backend.after(1).contains("privacy on"), backend.after(1))
    }

    func testAClickPlacesTheChosenEndOnThePicture() throws {
        var s = screen()
        let (_, area) = s.render(80, 24, ascii: false, colors: .c256, message: "")
        let backend = ScriptedBackend(ScriptedBackend.keys(.char("b"), .click(x: area.x, y: area.y), .enter), width: 80, height: 24)
        guard case .placed(let lines) = s.loop(backend) else { return XCTFail("not placed") }
        XCTAssertLessThan(lines[0].to.x, 0.05)
        XCTAssertLessThan(lines[0].to.y, 0.1)
        XCTAssertEqual(lines[0].from, Point(x: 0.1, y: 0.5))
    }

    func testQEscAndSignalsLeaveWithNothing() {
        var s = screen()
        XCTAssertEqual(s.loop(ScriptedBackend(ScriptedBackend.keys(.right, .char("q")))), .cancelled)
        XCTAssertEqual(s.loop(ScriptedBackend(ScriptedBackend.keys(.escape))), .cancelled)
        XCTAssertEqual(s.loop(ScriptedBackend([.signal(SIGINT)])), .signal(SIGINT))
        XCTAssertEqual(s.loop(ScriptedBackend([])), .signal(SIGHUP), "a terminal that goes away ends as a hangup")
    }
}
