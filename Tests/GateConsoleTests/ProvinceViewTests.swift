import XCTest
import GateCore
import GateStore
@testable import GateConsole

/// The province view (`console --hub`) as text: the sites in the hub's order with what needs
/// attention, Enter opens one, `p` goes back; a site's day from the hub on the usual screens.
final class ProvinceViewTests: XCTestCase {
    let now: Int64 = 1_796_070_000_000

    func summary(_ name: String, occupancy: Int?, attention: [String], lag: Double? = 2, revoked: Bool = false) -> HubSiteSummary {
        HubSiteSummary(name: name, revoked: revoked, occupancy: occupancy, capacity: occupancy.map { _ in 5000 },
                       ins_today: occupancy.map { $0 + 100 }, outs_today: occupancy.map { _ in 100 }, open_alerts: attention.contains("alerts") ? 2 : 0,
                       feeds_offline: attention.contains("feeds_offline") ? 1 : 0, feeds: 8, backlog: 0,
                       last_batch_ms: occupancy.map { _ in now - 2000 }, lag_seconds: lag, attention: attention)
    }

    func render(_ snap: ConsoleSnapshot, _ lang: Language, state: ConsoleState? = nil, ascii: Bool = false) -> String {
        let st = state ?? ConsoleState(language: lang, userName: "t")
        var ctx = RenderContext(now: now, snapshot: snap, dbPath: "")
        ctx.hubURL = "https://hub.example.gov.vn:8443"
        return Renderer.frame(width: 120, height: 24, ascii: ascii, state: st, ctx: ctx).text()
    }

    var province: ConsoleSnapshot {
        var s = ConsoleSnapshot()
        s.province = [summary("Tam Cốc", occupancy: nil, attention: [HubAttention.neverSynced], lag: nil),
                      summary("Bái Đính", occupancy: 4200, attention: [HubAttention.syncLag, HubAttention.alerts], lag: 1500),
                      summary("Khu du lịch Tràng An", occupancy: 1234, attention: [])]
        return s
    }

    func testTheProvinceListShowsEverySiteInTheHubsOrderWithWhatNeedsAttention() {
        let en = render(province, .en)
        XCTAssertTrue(en.contains("Province · 3 sites"), en)
        let rows = en.split(separator: "\n").map(String.init)
        let order = ["Tam Cốc", "Bái Đính", "Khu du lịch Tràng An"].map { name in rows.firstIndex { $0.contains(name) } ?? -1 }
        XCTAssertEqual(order, order.sorted(), en)
        XCTAssertFalse(order.contains(-1), en)
        let baiDinh = rows.first { $0.contains("Bái Đính") } ?? ""
        XCTAssertTrue(baiDinh.contains("4200 / 5000") && baiDinh.contains("25 min") && baiDinh.contains("sync behind, open alerts"), baiDinh)
        XCTAssertTrue(rows.first { $0.contains("Tam Cốc") }?.contains("never synced") ?? false, en)
        XCTAssertTrue(en.contains("Hub ok"), "the status bar names the hub, not a database: \(en)")
        let vi = render(province, .vi)
        XCTAssertTrue(vi.contains("Toàn tỉnh · 3 khu") && vi.contains("đồng bộ chậm, có cảnh báo"), vi)
        XCTAssertTrue(vi.contains("25 phút") && !vi.contains("25 min"), "how far behind, in the staff's words: \(vi)")
        let ascii = render(province, .vi, ascii: true)
        XCTAssertTrue(ascii.contains("Bai Dinh") && ascii.contains("dong bo cham"), "a non-UTF-8 terminal reads it unmarked: \(ascii)")
    }

    func testEnterOpensTheSelectedSiteAndPGoesBack() {
        var st = ConsoleState(language: .en, userName: "t")
        let snap = province
        _ = st.handle(.down, snapshot: snap, now: now)
        XCTAssertEqual(st.handle(.enter, snapshot: snap, now: now), [.openSite("Bái Đính")])
        XCTAssertEqual(st.screen, .overview)
        var site = ConsoleSnapshot()
        site.site = SiteRow(name: "Bái Đính", capacity: 5000, timeZone: "Asia/Ho_Chi_Minh", updatedMs: now)
        XCTAssertEqual(st.handle(.char("p"), snapshot: site, now: now), [.backToProvince])
        XCTAssertEqual(st.handle(.char("p"), snapshot: snap, now: now), [], "already on the province list")
    }

    func testASitesDayFromTheHubFillsTheUsualScreens() throws {
        let s = summary("Bái Đính", occupancy: 42, attention: [HubAttention.alerts])
        var hourly = Array(repeating: 0, count: 24); hourly[9] = 30
        let today = HubSiteToday(summary: s, time_zone: "Asia/Ho_Chi_Minh",
                                 gates: [.init(id: "g1", ins: 30, outs: 12, hourly_in: hourly, hourly_out: Array(repeating: 0, count: 24))],
                                 feeds: [.init(id: "f1", gate_id: "g1", state: "live", at_ms: now - 1000),
                                         .init(id: "f2", gate_id: "g1", state: "offline", at_ms: now - 90_000)],
                                 alerts: [HubAlertRow(site: "Bái Đính", id: 7, kind: "offline", subject: "f2", severity: "warning", state: "open",
                                                      message: .init(vi: "Mất camera f2", en: "Feed f2 offline"), raised_ms: now - 60_000,
                                                      updated_ms: now - 60_000, resolved_ms: nil)])
        let snap = HubSnapshot.site(today, now: now)
        XCTAssertEqual(snap.site?.name, "Bái Đính")
        XCTAssertEqual(snap.peopleInside, 42)
        XCTAssertEqual(snap.gates.map(\.id), ["g1"])
        XCTAssertEqual(snap.gates.first?.feedIds, ["f1", "f2"])
        XCTAssertEqual(snap.gates.first?.hourlyIn[9], 30)
        XCTAssertEqual(snap.alerts.first?.message(in: .vi), "Mất camera f2")
        XCTAssertTrue(snap.pipelineAlive(now: now), "a site heard from 2 s ago is live")
        let text = render(snap, .en)
        XCTAssertTrue(text.contains("Bái Đính") && text.contains("42 / 5000") && text.contains("Feed f2 offline"), text)

        // The site's own answers name the gate and the cameras, and give the cameras' rates.
        var named = snap
        let site = try JSONDecoder().decode(ContractSite.self, from: Data("""
            {"gates": [{"id": "g1", "name": "Cổng Tam Quan", "feeds": [{"id": "f1", "name": "Cam lối vào"}, {"id": "f2", "name": "Cam lối ra"}]}]}
            """.utf8))
        let health = try JSONDecoder().decode(ContractFeedHealth.self, from: Data("""
            {"now": {"ms": \(now), "local": ""}, "runner": {"liveness": "running"},
             "feeds": [{"id": "f1", "name": "Cam lối vào", "gate_id": "g1", "state": "live", "capture_fps": 25, "process_fps": 9.5,
                        "detector_runs_per_s": 4, "dropped": 12, "reconnects": 1, "last_frame": {"ms": \(now - 100), "local": ""}},
                       {"id": "f2", "name": "Cam lối ra", "gate_id": "g1", "state": "offline", "capture_fps": 0, "process_fps": 0,
                        "detector_runs_per_s": 0, "dropped": 0, "reconnects": 7, "last_error": "cannot open rtsp://cam2/"}]}
            """.utf8))
        HubSnapshot.enrich(&named, site: site, health: health)
        XCTAssertEqual(named.gates.map(\.name), ["Cổng Tam Quan"])
        XCTAssertEqual(named.feeds.map(\.name), ["Cam lối vào", "Cam lối ra"])
        XCTAssertEqual(named.feeds.first?.health?.processFps, 9.5)
        XCTAssertEqual(named.feeds.last?.health?.reconnects, 7)
        XCTAssertTrue(render(named, .en).contains("Cổng Tam Quan"), render(named, .en))
    }

    /// A past day on History from the contract's counts: hours by their labels, days newest first.
    func testAPastDayFromTheHubsCountsFillsHistory() throws {
        let hours = try JSONDecoder().decode(ContractCounts.self, from: Data("""
            {"by": "hour", "periods": [{"label": "2026-11-29 00:00", "ins": 0, "outs": 0, "net": 0},
                                       {"label": "2026-11-29 07:00", "ins": 12, "outs": 3, "net": 9},
                                       {"label": "2026-11-29 23:00", "ins": 1, "outs": 8, "net": -7}]}
            """.utf8))
        let days = try JSONDecoder().decode(ContractCounts.self, from: Data("""
            {"periods": [{"label": "2026-11-28", "ins": 40, "outs": 38}, {"label": "2026-11-29", "ins": 13, "outs": 11}]}
            """.utf8))
        let h = HubSnapshot.history(hours: hours, days: days)
        XCTAssertEqual(h.day.label, "2026-11-29")
        XCTAssertEqual(h.daily.map(\.label), ["2026-11-29", "2026-11-28"])
        XCTAssertEqual(h.hourlyIn[7], 12)
        XCTAssertEqual(h.hourlyOut[23], 8)
        XCTAssertEqual(h.hourlyIn.reduce(0, +), 13)
        var snap = ConsoleSnapshot()
        snap.site = SiteRow(name: "Bái Đính", capacity: 5000, timeZone: "Asia/Ho_Chi_Minh", updatedMs: now)
        snap.history = h
        var state = ConsoleState(language: .en, userName: "t")
        state.screen = .history
        let text = render(snap, .en, state: state)
        XCTAssertTrue(text.contains("Hourly for 2026-11-29"), text)
        XCTAssertTrue(text.contains("2026-11-28"), text)
    }

    /// A hub that takes the connection and never answers does not hold the console: the first
    /// load says it is asking (the request runs on, off the console's loop, bounded by its timeout).
    func testASilentHubDoesNotHoldTheConsole() throws {
        let (fd, port) = try Self.loopbackSocket(listening: true)
        defer { close(fd) }
        let source = HubConsoleSource(url: "http://127.0.0.1:\(port)", key: "gwk_00000000_reader")
        XCTAssertEqual(source.load(LoadRequest(), now: now), .failure(.hubAsking(site: nil)), "a hub that never answers gave something")
        XCTAssertEqual(Strings(.vi).problem(.hubAsking(site: nil)), "Đang hỏi máy chủ tỉnh…")
        XCTAssertFalse(source.hasChanged(), "no answer has arrived")
    }

    /// A hub down at first is asked again while the console shows why: once something answers
    /// on that address, the next loads say what it answered (here, not a hub: a plain web server).
    func testAHubThatFailedIsAskedAgain() throws {
        let port = try Self.freeLoopbackPort()
        let source = HubConsoleSource(url: "http://127.0.0.1:\(port)", key: "gwk_00000000_reader")
        guard case .failure(let first) = source.load(LoadRequest(), now: now) else { return XCTFail("nothing listens there") }
        if case .hubUnreachable(let url, _) = first { XCTAssertEqual(url, "http://127.0.0.1:\(port)") }
        else { XCTAssertEqual(first, .hubAsking(site: nil)) }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = ["-m", "http.server", "--bind", "127.0.0.1", "\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let answered = SourceProblem.hubAnswered(url: "http://127.0.0.1:\(port)", what: "HTTP 404")
        var last = first
        let deadline = Date().addingTimeInterval(20)
        while last != answered, Date() < deadline {
            usleep(300_000)
            if case .failure(let why) = source.load(LoadRequest(), now: now) { last = why }
        }
        XCTAssertEqual(last, answered)
        XCTAssertTrue(Strings(.en).problem(last).hasPrefix("The province hub at http://127.0.0.1:\(port) answered: HTTP 404"))
    }

    static func freeLoopbackPort() throws -> Int {
        let (fd, port) = try loopbackSocket(listening: false)
        close(fd)
        return port
    }

    /// A socket bound to a free loopback port (listening: connections are taken by the kernel
    /// and never answered).
    static func loopbackSocket(listening: Bool) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("no socket") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && (!listening || listen(fd, 8) == 0) && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { close(fd); throw XCTSkip("no loopback socket") }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}
