import XCTest
@testable import GateCore

final class OccupancyTests: XCTestCase {
    private func event(_ d: Direction, feed: String = "f", gate: String = "g", at ms: Int64 = 0) -> CrossingEvent {
        CrossingEvent(timestampMs: ms, feedId: feed, gateId: gate, lineId: "l", direction: d,
                      trackId: 1, confidence: 0.9, frameIndex: 0)
    }
    private func record(_ o: inout Occupancy, _ d: Direction, count n: Int = 1, feed: String = "f", gate: String = "g") {
        for _ in 0..<n { o.record(event(d, feed: feed, gate: gate)) }
    }

    /// The store's rule: max(0, base + ins − outs), so the alert engine and every reader agree.
    func testInsAndOutsNeverBelowZeroAsTheStoreCounts() {
        var o = Occupancy(capacity: 10)
        record(&o, .in, count: 2); record(&o, .out)
        XCTAssertEqual(o.count, 1)
        record(&o, .out, count: 3)
        XCTAssertEqual(o.count, 0)
        XCTAssertEqual(o.absorbedOuts, 2)
        XCTAssertEqual(o.ins, 2); XCTAssertEqual(o.outs, 4)
        record(&o, .in)
        XCTAssertEqual(o.count, 0, "as the store: max(0, 3 ins - 4 outs)")
        record(&o, .in, count: 2)
        XCTAssertEqual(o.count, 1, "5 ins - 4 outs")
    }

    /// Two cameras on one gate see the same people: the gate counts as its busiest camera in
    /// each direction (the store's report rule), not the sum; separate gates add up.
    func testAGateCountsAsItsBusiestCamera() {
        var o = Occupancy(capacity: 100)
        record(&o, .in, count: 5, feed: "north-a", gate: "north")
        record(&o, .in, count: 4, feed: "north-b", gate: "north")
        record(&o, .out, count: 1, feed: "north-b", gate: "north")
        record(&o, .in, count: 2, feed: "south", gate: "south")
        XCTAssertEqual(o.ins, 7, "north 5 (busiest of 5 and 4) + south 2")
        XCTAssertEqual(o.outs, 1)
        XCTAssertEqual(o.count, 6)
    }

    /// A correction is the new starting point: its head count plus what crosses after it.
    func testACorrectionIsTheStartingPoint() {
        let c = OccupancyCorrection(id: 7, atMs: 5_000, count: 30, previous: 0, by: "Lan", note: "đếm tay")
        let anchor = OccupancyAnchor.after(reset: 1_000, correction: c)
        XCTAssertEqual(anchor, OccupancyAnchor(atMs: 5_000, base: 30, correction: c))
        var o = Occupancy(capacity: 100, anchor: anchor)
        XCTAssertEqual(o.count, 30)
        record(&o, .out, count: 3); record(&o, .in)
        XCTAssertEqual(o.count, 28)
        // A correction from before the day's reset does not carry over.
        XCTAssertEqual(OccupancyAnchor.after(reset: 6_000, correction: c), OccupancyAnchor(atMs: 6_000))
        o.restart(anchor: OccupancyAnchor(atMs: 6_000), counts: GateFeedCounts())
        XCTAssertEqual(o.count, 0)
    }

    /// The daily reset at a site-local time: before it today, the period began yesterday.
    func testResetPeriodStartsAtTheLocalTime() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "Asia/Ho_Chi_Minh"))   // UTC+7
        let reset = OccupancyReset(minuteOfDay: 2 * 60)                         // 02:00 local = 19:00 UTC the day before
        let dayUTC: Int64 = 1_764_460_800_000                                  // 2025-11-30 00:00 UTC = 07:00 local
        XCTAssertEqual(reset.periodStart(nowMs: dayUTC, timeZone: zone), dayUTC - 5 * 3_600_000, "02:00 local today")
        // 01:00 local on Dec 1 (18:00 UTC Nov 30) is before that day's 02:00: the period began at 02:00 local Nov 30.
        XCTAssertEqual(reset.periodStart(nowMs: dayUTC + 18 * 3_600_000, timeZone: zone), dayUTC - 5 * 3_600_000)
        XCTAssertEqual(reset.periodStart(nowMs: dayUTC + 19 * 3_600_000, timeZone: zone), dayUTC + 19 * 3_600_000)
        XCTAssertEqual(OccupancyReset.midnight.periodStart(nowMs: dayUTC, timeZone: zone), dayUTC - 7 * 3_600_000)
        XCTAssertEqual(reset.text, "02:00")
    }

    func testShareAndLevels() {
        var alerts = AlertSettings()
        alerts.capacityWarning = 0.8; alerts.capacityCritical = 1.0
        var o = Occupancy(capacity: 10, alerts: alerts)
        XCTAssertEqual(o.level, .normal)
        record(&o, .in, count: 7)
        XCTAssertEqual(o.share, 0.7, accuracy: 1e-12); XCTAssertEqual(o.level, .normal)
        record(&o, .in)
        XCTAssertEqual(o.level, .warning)
        record(&o, .in, count: 2)
        XCTAssertEqual(o.share, 1.0, accuracy: 1e-12); XCTAssertEqual(o.level, .critical)
        record(&o, .out, count: 3)
        XCTAssertEqual(o.level, .normal)
        XCTAssertEqual(Occupancy.level(count: 9, capacity: 10, alerts: alerts), .warning)
        XCTAssertLessThan(OccupancyLevel.warning, OccupancyLevel.critical)
        XCTAssertEqual(Occupancy(capacity: 0).share, 0)
    }
}
