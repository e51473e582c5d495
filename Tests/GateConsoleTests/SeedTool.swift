import XCTest

/// Writes a seeded database for manual runs: GW_SEED_PATH=/tmp/x.db swift test --filter SeedTool
final class SeedTool: XCTestCase {
    func testWriteSeed() throws {
        guard let p = ProcessInfo.processInfo.environment["GW_SEED_PATH"] else { throw XCTSkip("GW_SEED_PATH not set") }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try SeedDatabase.create(at: p, now: now)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p))
    }
}
