import GateCore
import XCTest
@testable import GateConsole

/// The line editor's keys on the Gate screen, drawn from the seeded database's lines.
extension SnapshotTests {
    func testEditorKeysMoveFlipAndSaveTheShownFeedsLines() throws {
        var st = ConsoleState(language: .en, userName: "tester")
        st.screen = .gate
        let snap = try load(st)
        XCTAssertEqual(st.handle(.char("e"), snapshot: snap, now: SeedDatabase.fixedNow), [])
        let e = try XCTUnwrap(st.editor)
        XCTAssertEqual(e.feedId, st.shownFeed(snap)?.id)
        XCTAssertEqual(e.lines, snap.lines.filter { $0.feedId == e.feedId }.map(\.config))
        let before = try XCTUnwrap(e.current)
        // q does not quit while editing; the arrows move the chosen end, Shift a fine step.
        XCTAssertEqual(st.handle(.char("q"), snapshot: snap, now: 0), [])
        _ = st.handle(.down, snapshot: snap, now: 0)
        _ = st.handle(.shiftRight, snapshot: snap, now: 0)
        XCTAssertEqual(st.editor?.current?.from.y ?? 0, before.from.y + LineEditor.step, accuracy: 1e-9)
        XCTAssertEqual(st.editor?.current?.from.x ?? 0, before.from.x + LineEditor.fineStep, accuracy: 1e-9)
        _ = st.handle(.char("i"), snapshot: snap, now: 0)
        let flipped = try XCTUnwrap(st.editor?.current)
        XCTAssertLessThan(LineGeometry(flipped).signedDistance(before.inside), 0, "i puts the old inside on the out side")
        let text = try render(.gate, 80, 24, .en) { $0 = st }
        XCTAssertTrue(text.contains("EDITING"), text)
        XCTAssertTrue(text.contains(String(format: "A %.3f, %.3f", flipped.from.x, flipped.from.y)), text)
        XCTAssertTrue(text.contains("not saved"), text)
        XCTAssertEqual(st.handle(.char("s"), snapshot: snap, now: 0), [.saveLines(feedId: e.feedId, lines: st.editor!.lines)])
        XCTAssertEqual(st.handle(.click(x: 10, y: 8), snapshot: snap, now: 0), [.placeEnd(x: 10, y: 8)])
        _ = st.handle(.escape, snapshot: snap, now: 0)
        XCTAssertNil(st.editor)
        XCTAssertEqual(st.message, Strings(.en).editDiscarded)
    }
}
