import GateCore
import XCTest
@testable import GateConsole

/// The picture renderer read as text and colours, per colour mode; the overlay; the editor.
final class PictureTests: XCTestCase {
    /// 4×4 pixels: the top half black, the bottom half white; the right column red.
    func picture() -> PreviewPicture {
        var rgb: [UInt8] = []
        for y in 0..<4 {
            for x in 0..<4 {
                if x == 3 { rgb += [255, 0, 0] } else { rgb += y < 2 ? [0, 0, 0] : [255, 255, 255] }
            }
        }
        return PreviewPicture(width: 4, height: 4, rgb: rgb, sourceWidth: 640, sourceHeight: 640, timestampMs: 0)
    }

    func testHalfBlocksCarryTopAndBottomPixelsIn24BitColour() {
        // 4 columns × 1 row: each cell holds two pixel rows (the 4 rows averaged in pairs).
        let cells = PictureRenderer.render(picture(), cols: 4, rows: 1, colors: .direct)
        XCTAssertEqual(String(cells.chars), "▀▀▀▀")
        XCTAssertEqual(cells.paints[0], Paint(fg: 0x000000, bg: 0xFFFFFF))
        XCTAssertEqual(cells.paints[3], Paint(fg: 0xFF0000, bg: 0xFF0000))
    }

    func testPaletteModesPickTheNearestColour() {
        let c256 = PictureRenderer.render(picture(), cols: 4, rows: 1, colors: .c256)
        XCTAssertEqual(c256.paints[0], Paint(fg: 16, bg: 231))    // cube black, cube white
        XCTAssertEqual(c256.paints[3], Paint(fg: 196, bg: 196))   // cube red
        let c8 = PictureRenderer.render(picture(), cols: 4, rows: 1, colors: .c8)
        XCTAssertEqual(c8.paints[0], Paint(fg: 0, bg: 7))
        XCTAssertEqual(c8.paints[3], Paint(fg: 1, bg: 1))
    }

    func testGreyAndAsciiRampsFollowBrightness() {
        // 2 rows: the first cell row black over black, the second white over white.
        let grey = PictureRenderer.render(picture(), cols: 4, rows: 2, colors: .grey)
        XCTAssertEqual(String(grey.chars), "   ░███░")
        XCTAssertTrue(grey.paints.allSatisfy { $0 == nil })
        let ascii = PictureRenderer.render(picture(), cols: 4, rows: 2, colors: .ascii)
        XCTAssertEqual(String(ascii.chars), "   :@@@:")   // red is dim in brightness
        XCTAssertTrue(ascii.chars.allSatisfy { $0.isASCII })
    }

    func testColourModeIsChosenByOneRule() {
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: true, monochrome: false, colors: 256), .ascii)
        XCTAssertEqual(PictureColors.choose(utf8: false, noColor: false, monochrome: false, colors: 256), .ascii)
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: false, monochrome: true, colors: 256), .grey)
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: false, monochrome: false, colors: 0), .grey)
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: false, monochrome: false, colors: 8), .c8)
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: false, monochrome: false, colors: 256), .c256)
        XCTAssertEqual(PictureColors.choose(utf8: true, noColor: false, monochrome: false, colors: 0x1000000), .direct)
    }

    func testFitKeepsTheAspectInAnyArea() {
        // 160×90 (16:9): a cell is one pixel wide and two tall.
        XCTAssertEqual(PictureRenderer.fit(width: 160, height: 90, areaW: 48, areaH: 11).cols, 39)
        XCTAssertEqual(PictureRenderer.fit(width: 160, height: 90, areaW: 48, areaH: 11).rows, 11)
        let wide = PictureRenderer.fit(width: 160, height: 90, areaW: 160, areaH: 100)
        XCTAssertEqual(wide.cols, 160); XCTAssertEqual(wide.rows, 45)
    }

    func testOverlayDrawsTheLineItsEndsAndSides() {
        var g = Grid(width: 40, height: 12)
        let line = LineConfig(id: "l", name: "l", from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5), inside: Point(x: 0.5, y: 0.9))
        let area = Rect(x: 0, y: 0, w: 40, h: 12)
        PictureOverlay(lines: [line], inWord: "in", outWord: "out").draw(&g, picture: picture(), colors: .ascii, in: area)
        let row = g.rowText(6)
        XCTAssertTrue(row.contains("A•••"), row)
        XCTAssertTrue(row.contains("•B"), row)
        XCTAssertEqual(row.firstIndex(of: "A").map { row.distance(from: row.startIndex, to: $0) }, 4, row)
        // In below the line (the inside point's side), out above.
        XCTAssertTrue(g.rowText(8).contains("in"), g.text())
        XCTAssertTrue(g.rowText(4).contains("out"), g.text())
        XCTAssertEqual(PictureOverlay.point(atCell: 20, 6, in: area).map { ($0.x * 100).rounded() }, 51)
    }

    func testEditorMovesAnEndKeepsTheInSideAndFlipsIt() {
        let line = LineConfig(id: "l", name: "l", from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5), inside: Point(x: 0.5, y: 0.9))
        var e = LineEditor(feedId: "f", lines: [line])
        e.move(dx: 0, dy: LineEditor.step)
        XCTAssertEqual(e.lines[0].from.y, 0.52, accuracy: 1e-9)
        XCTAssertGreaterThan(LineGeometry(e.lines[0]).signedDistance(Point(x: 0.5, y: 0.9)), 0, "the in-side stays below")
        e.flip()
        XCTAssertLessThan(LineGeometry(e.lines[0]).signedDistance(Point(x: 0.5, y: 0.9)), 0, "flipped: below is out")
        e.end = .to
        e.place(Point(x: 0.8, y: 0.2))
        XCTAssertEqual(e.lines[0].to, Point(x: 0.8, y: 0.2))
        XCTAssertFalse(e.delete(), "the last line stays")
        e.add()
        XCTAssertEqual(e.lines.count, 2); XCTAssertEqual(e.selected, 1)
        XCTAssertTrue(e.delete())
        XCTAssertTrue(e.dirty)
    }

    func testPreviewFileRoundTripsAndRefusesAPartOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-preview-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let channel = PreviewChannel(directory: dir)
        try channel.prepare()
        var p = picture()
        p.tracks = [.init(id: 7, x: 0.1, y: 0.2, w: 0.1, h: 0.3)]
        p.region = PixelRect(x: 10, y: 20, width: 300, height: 200)
        XCTAssertFalse(channel.isRequested(feedId: "cam 1", nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
        XCTAssertTrue(channel.request(feedId: "cam 1"))
        XCTAssertTrue(channel.isRequested(feedId: "cam 1", nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
        XCTAssertFalse(channel.isRequested(feedId: "cam 1", nowMs: Int64(Date().timeIntervalSince1970 * 1000) + 5000))
        try channel.publish(p, feedId: "cam 1")
        XCTAssertEqual(channel.latest(feedId: "cam 1"), p)
        let attrs = try FileManager.default.attributesOfItem(atPath: dir)
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        let fileAttrs = try FileManager.default.attributesOfItem(atPath: channel.picturePath(feedId: "cam 1"))
        XCTAssertEqual((fileAttrs[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        var data = PreviewChannel.encode(p)
        data.removeLast()
        XCTAssertNil(PreviewChannel.decode(data))
    }

    /// A slow terminal (drawing took long) reads pictures less often; nothing is read while nobody looks.
    func testFollowerReadsFewerPicturesWhenDrawingIsSlow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-follow-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let channel = PreviewChannel(directory: dir)
        try channel.prepare()
        var f = PreviewFollower(channel: channel)
        XCTAssertFalse(f.follow(nil, now: 0))
        XCTAssertFalse(channel.isRequested(feedId: "cam", nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
        var p = picture()
        p.timestampMs = 1
        try channel.publish(p, feedId: "cam")
        XCTAssertTrue(f.follow("cam", now: 10_000))
        XCTAssertEqual(f.picture?.timestampMs, 1)
        XCTAssertTrue(channel.isRequested(feedId: "cam", nowMs: Int64(Date().timeIntervalSince1970 * 1000)), "asked while shown")
        f.drew(tookMs: 600)   // a throttled link: a frame took 0.6 s to write
        XCTAssertEqual(f.intervalMs, 2400)
        p.timestampMs = 2
        try channel.publish(p, feedId: "cam")
        XCTAssertFalse(f.follow("cam", now: 10_500), "read again before the slower interval")
        XCTAssertTrue(f.follow("cam", now: 12_400))
        XCTAssertEqual(f.picture?.timestampMs, 2)
        f.drew(tookMs: 20)
        XCTAssertEqual(f.intervalMs, PreviewChannel.intervalMs, "back to 2 a second on a fast terminal")
        XCTAssertTrue(f.follow(nil, now: 13_000), "leaving the screen drops the picture")
        XCTAssertNil(f.picture)
    }
}
