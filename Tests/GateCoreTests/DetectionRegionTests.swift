import XCTest
@testable import GateCore

final class DetectionRegionTests: XCTestCase {
    private let line = LineConfig(id: "l", name: "l", from: Point(0.40, 0.22), to: Point(0.40, 0.66), inside: Point(0.7, 0.45))

    /// `auto`: the band around the lines, with a margin either side, in pixels of the picture.
    func testAutoRegionIsTheBandAroundTheLines() throws {
        let r = try XCTUnwrap(DetectionRegion.auto.pixels(lines: [line], width: 768, height: 576))
        XCTAssertEqual(r, PixelRect(x: 153, y: 11, width: 308, height: 485))   // x 0.2…0.6, y 0.02…0.86
        XCTAssertEqual(r.tiles(), [r], "at most 2:1: one run of the detector")
        XCTAssertNil(DetectionRegion.full.pixels(lines: [line], width: 768, height: 576))
        XCTAssertNil(DetectionRegion.auto.pixels(lines: [], width: 768, height: 576), "no lines: the whole picture")
        // A region that is nearly the whole picture gains nothing: the whole picture.
        XCTAssertNil(DetectionRegion.rect(Rect(x: 0, y: 0, width: 0.99, height: 0.99)).pixels(lines: [], width: 768, height: 576))
    }

    /// A long band is cut into overlapping near-square tiles, so the model does not squash people.
    func testLongRegionsAreTiledWithOverlap() {
        let band = PixelRect(x: 0, y: 100, width: 768, height: 200)
        let tiles = band.tiles()
        XCTAssertEqual(tiles.count, 4)
        XCTAssertEqual(tiles.first?.x, 0); XCTAssertEqual(tiles.last.map { $0.x + $0.width }, 768)
        for t in tiles { XCTAssertEqual(t.width, 236, "four tiles at most: longer ones"); XCTAssertEqual(t.height, 200); XCTAssertEqual(t.y, 100) }
        for (a, b) in zip(tiles, tiles.dropFirst()) { XCTAssertGreaterThanOrEqual(a.x + a.width - b.x, 58, "tiles overlap by a quarter") }
        let short = PixelRect(x: 0, y: 0, width: 500, height: 200).tiles()
        XCTAssertEqual(short.map(\.width), [200, 200, 200]); XCTAssertEqual(short.map(\.x), [0, 150, 300])
        XCTAssertEqual(PixelRect(x: 0, y: 0, width: 300, height: 250).tiles().count, 1)
    }

    func testBoxesMapBackToThePictureAndDuplicatesAcrossTilesAreMerged() {
        let tile = PixelRect(x: 384, y: 288, width: 192, height: 144)
        let b = tile.mapToPicture(Rect(x: 0.5, y: 0.5, width: 0.25, height: 0.5), width: 768, height: 576)
        XCTAssertEqual(b.x, 0.625, accuracy: 1e-9); XCTAssertEqual(b.y, 0.625, accuracy: 1e-9)
        XCTAssertEqual(b.width, 0.0625, accuracy: 1e-9); XCTAssertEqual(b.height, 0.125, accuracy: 1e-9)
        let a = Detection(box: Rect(x: 0.1, y: 0.1, width: 0.1, height: 0.2), score: 0.9)
        let twin = Detection(box: Rect(x: 0.105, y: 0.1, width: 0.1, height: 0.2), score: 0.6)
        let other = Detection(box: Rect(x: 0.5, y: 0.1, width: 0.1, height: 0.2), score: 0.5)
        XCTAssertEqual([twin, a, other].suppressingOverlaps(), [a, other])
    }

    func testConfigKeyAcceptsFullAutoAndARectangleAndRefusesTheRest() throws {
        func feed(_ value: String) throws -> FeedConfig {
            try ConfigLoader.parse(yaml: """
                site: {name: s, capacity: 10}
                gates:
                  - id: g
                    feeds:
                      - id: f
                        source: a.avi
                        detect_region: \(value)
                        lines: [{id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}]
                """).feeds[0]
        }
        XCTAssertEqual(try feed("auto").detectRegion, .auto)
        XCTAssertEqual(try feed("full").detectRegion, .full)
        guard case .rect(let r) = try feed("[0.1, 0.2, 0.9, 0.6]").detectRegion else { return XCTFail("not a rectangle") }
        XCTAssertEqual(r.x, 0.1, accuracy: 1e-9); XCTAssertEqual(r.y, 0.2, accuracy: 1e-9)
        XCTAssertEqual(r.maxX, 0.9, accuracy: 1e-9); XCTAssertEqual(r.maxY, 0.6, accuracy: 1e-9)
        for bad in ["near", "[0.1, 0.2, 0.9]", "[0.9, 0.2, 0.1, 0.6]", "[0.1, 0.2, 1.5, 0.6]", "[\"0.1\", 0.2, 0.9, 0.6]"] {
            XCTAssertThrowsError(try feed(bad), bad) { e in
                XCTAssertEqual((e as? ConfigError)?.key, "gates[0].feeds[0].detect_region", "\(bad): \(e)")
            }
        }
    }
}
