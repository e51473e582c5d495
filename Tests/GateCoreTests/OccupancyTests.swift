import XCTest
@testable import GateCore

final class OccupancyTests: XCTestCase {
    /// The store's rule: max(0, ins − outs) of the day, so the alert engine and every reader agree.
    func testInsAndOutsNeverBelowZeroAsTheStoreCounts() {
        var o = Occupancy(capacity: 10)
        o.record(.in); o.record(.in); o.record(.out)
        XCTAssertEqual(o.count, 1)
        o.record(.out); o.record(.out); o.record(.out)
        XCTAssertEqual(o.count, 0)
        XCTAssertEqual(o.absorbedOuts, 2)
        XCTAssertEqual(o.ins, 2); XCTAssertEqual(o.outs, 4)
        o.record(.in)
        XCTAssertEqual(o.count, 0, "as the store: max(0, 3 ins - 4 outs)")
        o.record(.in, count: 2)
        XCTAssertEqual(o.count, 1, "5 ins - 4 outs")
    }

    func testShareAndLevels() {
        var alerts = AlertSettings()
        alerts.capacityWarning = 0.8; alerts.capacityCritical = 1.0
        var o = Occupancy(capacity: 10, alerts: alerts)
        XCTAssertEqual(o.level, .normal)
        o.record(.in, count: 7)
        XCTAssertEqual(o.share, 0.7, accuracy: 1e-12); XCTAssertEqual(o.level, .normal)
        o.record(.in)
        XCTAssertEqual(o.level, .warning)
        o.record(.in, count: 2)
        XCTAssertEqual(o.share, 1.0, accuracy: 1e-12); XCTAssertEqual(o.level, .critical)
        o.record(.out, count: 3)
        XCTAssertEqual(o.level, .normal)
        XCTAssertEqual(Occupancy.level(count: 9, capacity: 10, alerts: alerts), .warning)
        XCTAssertLessThan(OccupancyLevel.warning, OccupancyLevel.critical)
    }

    func testRecordEventsAndReset() {
        var o = Occupancy(capacity: 5, initial: -1)
        XCTAssertEqual(o.count, 0)
        let e = { (d: Direction) in CrossingEvent(timestampMs: 0, feedId: "f", gateId: "g", lineId: "l", direction: d,
                                                   trackId: 1, confidence: 0.9, frameIndex: 0) }
        o.record([e(.in), e(.in), e(.in), e(.out)])
        XCTAssertEqual(o.count, 1, "-1 + 3 - 1")
        o.reset(to: 4)
        XCTAssertEqual(o.count, 4)
        XCTAssertEqual(Occupancy(capacity: 0).share, 0)
    }
}
