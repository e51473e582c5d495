import XCTest
@testable import GateConsole

/// Prints how long a full frame takes at 200x60 (no timed assertion).
final class RenderBenchmarkTests: XCTestCase {
    func testFullFrameAt200x60() throws {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("gw-bench-\(getpid()).db").path
        try SeedDatabase.create(at: p)
        defer { try? FileManager.default.removeItem(atPath: p) }
        let store = ConsoleStore(path: p)
        var total = 0.0, loadTotal = 0.0
        let n = 20
        for i in 0..<n {
            var st = ConsoleState(language: .vi, userName: "b")
            st.screen = ScreenID(rawValue: i % 6)!
            let t0 = DispatchTime.now().uptimeNanoseconds
            let snap = try store.load(st.loadRequest(nil), now: SeedDatabase.fixedNow).get()
            let t1 = DispatchTime.now().uptimeNanoseconds
            let g = Renderer.frame(width: 200, height: 60, ascii: false, state: st,
                                   ctx: RenderContext(now: SeedDatabase.fixedNow, snapshot: snap, dbPath: p))
            let t2 = DispatchTime.now().uptimeNanoseconds
            XCTAssertEqual(g.cells.count, 200 * 60)
            loadTotal += Double(t1 - t0) / 1e6; total += Double(t2 - t1) / 1e6
        }
        print(String(format: "200x60 frame (debug build): render %.2f ms, view-model load %.2f ms (mean of %d, all screens)",
                     total / Double(n), loadTotal / Double(n), n))
    }
}
