import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// Nothing committed is lost when the writer dies without closing.
final class DurabilityTests: XCTestCase {
    static let childEnv = "GATESTORE_KILL_CHILD_DB"

    /// Real kill -9: this test binary is started again running only
    /// `testChildWriter`, which writes and flushes batches forever and prints
    /// how many events are committed; it is killed mid-stream and the file is
    /// then checked by a fresh connection.
    func testKillMinus9LosesNothingCommitted() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = ["GateStoreTests.DurabilityTests/testChildWriter"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childEnv: path]) { $1 }
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Read "COMMITTED n" lines until enough batches are in, then kill.
        var buffer = ""
        var committed = 0
        let deadline = Date().addingTimeInterval(60)
        while committed < 3000 && Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }   // child ended
            buffer += String(decoding: data, as: UTF8.self)
            for line in buffer.split(separator: "\n") where line.hasPrefix("COMMITTED ") {
                committed = max(committed, Int(line.dropFirst(10)) ?? 0)
            }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal, "the child should have been killed, not ended")
        XCTAssertGreaterThanOrEqual(committed, 3000, "the child did not report its commits")

        // The WAL is left behind un-checkpointed; a new reader must see every committed event.
        let reader = try GateDatabase.openReader(path: path)
        let q = StoreQueries(reader)
        let rows = try q.countsByLine().reduce(0) { $0 + $1.ins + $1.outs }
        print("kill -9: child reported \(committed) committed, \(rows) rows found after the kill")
        XCTAssertGreaterThanOrEqual(rows, committed)
        // Rollups are in the same transactions as the rows: they agree exactly.
        let rollups = try reader.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT SUM(ins + outs) FROM crossing_minute") ?? 0
        }
        XCTAssertEqual(rollups, rows)
        let check = try reader.reader.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        XCTAssertEqual(check, "ok")
        // And the writer reopens it and carries on.
        let writer = try GateDatabase.openWriter(path: path)
        try writer.insertCrossings([event(nov23UTC)])
        try writer.close()
    }

    /// The child half of the test above; does nothing in a normal run.
    func testChildWriter() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childEnv] else {
            throw XCTSkip("helper for testKillMinus9LosesNothingCommitted; runs only as its child process")
        }
        let db = try GateDatabase.openWriter(path: path)
        try db.syncSite(demoConfig(), configPath: nil)
        let writer = try EventWriter(database: db, flushInterval: 0.05, maxBatch: 100)
        var n = 0
        while true {
            writer.append(contentsOf: (0..<100).map { i in event(nov23UTC + Int64(n + i) * 10, i % 2 == 0 ? .in : .out, track: n + i) })
            try writer.flush()
            n += 100
            FileHandle.standardOutput.write(Data("COMMITTED \(n)\n".utf8))
        }
    }

    /// Weaker but in-process: a writer dropped without close or flush of the
    /// WAL still leaves every committed transaction to the next connection.
    func testCommittedRowsSurviveWriterDroppedWithoutClose() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        var db: GateDatabase? = try GateDatabase.openWriter(path: path)
        var writer: EventWriter? = try EventWriter(database: db!, flushInterval: 5)
        writer!.append(contentsOf: (0..<250).map { event(nov23UTC + Int64($0)) })
        try writer!.flush()
        writer = nil
        db = nil
        let reader = try GateDatabase.openReader(path: path)
        XCTAssertEqual(try StoreQueries(reader).countsByLine().first?.ins, 250)
    }
}
