import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// A fresh temporary folder per test, removed afterwards.
final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gatestore-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit {
        _ = try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
        try? FileManager.default.removeItem(at: url)
    }
}

/// A database as an older GateWatch left it: the migrations up to `last`, then `seed`.
func makeOlderDatabase(at path: String, upTo last: String, seed: (Database) throws -> Void = { _ in }) throws {
    let q = try DatabaseQueue(path: path)
    try Schema.migrator.migrate(q, upTo: last)
    try q.write(seed)
    try q.close()
}

/// 2026-11-23 00:00:00 UTC.
let nov23UTC: Int64 = 1_795_392_000_000
let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

func event(_ ts: Int64, line: String = "g1-l1", gate: String = "g1", feed: String = "g1-cam",
           _ dir: Direction = .in, track: Int = 1) -> CrossingEvent {
    CrossingEvent(timestampMs: ts, feedId: feed, gateId: gate, lineId: line, direction: dir,
                  trackId: track, confidence: 0.9, frameIndex: Int(ts / 100 % 100_000))
}

func demoConfig(gates: [String] = ["g1", "g2"], timeZone: String = "Asia/Ho_Chi_Minh") -> SiteConfig {
    SiteConfig(site: SiteInfo(name: "Chùa Hương", capacity: 100, timeZone: timeZone,
                              openingHours: OpeningHours(openMinute: 6 * 60, closeMinute: 18 * 60)),
               gates: gates.enumerated().map { i, g in
                   GateConfig(id: g, name: "Cổng \(i + 1), \"chính\"", feeds: [
                       FeedConfig(id: "\(g)-cam", name: "Camera \(g)", source: "synthetic:walkers", fps: 10,
                                  lines: [LineConfig(id: "\(g)-l1", name: "Line \(g)", from: Point(0.1, 0.5),
                                                     to: Point(0.9, 0.5), inside: Point(0.5, 0.9))])
                   ])
               })
}

/// Asserts the error is a StoreError whose text is one line naming the path and what to do.
func assertOneLine(_ error: Error, contains: String, path: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
    guard let e = error as? StoreError else { return XCTFail("not a StoreError: \(error)", file: file, line: line) }
    let text = e.description
    XCTAssertFalse(text.contains("\n"), "more than one line: \(text)", file: file, line: line)
    XCTAssertTrue(text.contains(contains), "'\(text)' lacks '\(contains)'", file: file, line: line)
    if let path { XCTAssertTrue(text.contains(path), "'\(text)' does not name \(path)", file: file, line: line) }
    XCTAssertTrue(text.contains("; "), "'\(text)' says nothing to do", file: file, line: line)
}

/// Runs `body` as a user who may read `path` but write neither it nor its folder
/// (`readable: false`: who may not even read it). Root ignores mode bits, so as
/// root the effective user becomes `nobody` for the body; otherwise the mode
/// bits are taken away and given back afterwards.
func asOtherUser<T>(_ path: String, readable: Bool = true, _ body: () throws -> T) throws -> T {
    let fm = FileManager.default
    let dir = (path as NSString).deletingLastPathComponent
    let files = [path, path + "-wal", path + "-shm"].filter { fm.fileExists(atPath: $0) }
    if getuid() == 0 {
        for f in files { chmod(f, readable ? 0o644 : 0o600) }
        chmod(dir, 0o755)
        precondition(setegid(65534) == 0 && seteuid(65534) == 0, "cannot become nobody")
        defer { _ = seteuid(0); _ = setegid(0) }
        return try body()
    }
    for f in files { chmod(f, readable ? 0o444 : 0o000) }
    chmod(dir, 0o555)
    defer { chmod(dir, 0o700); for f in files { chmod(f, 0o600) } }
    return try body()
}
