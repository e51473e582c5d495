import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

// Shared helpers of the ops tests (outage, tamper, on_alert, status/check).

enum Ops {
    /// The package root, found from this file (Tests/GateRuntimeTests/<file>).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var gatewatchBinary: String { packageRoot.appendingPathComponent(".build/debug/gatewatch").path }

    static let vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

    static func tempDir(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("gw-ops-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Polls `body` every `every` seconds until it returns true or `timeout` passes.
    @discardableResult
    static func waitUntil(_ timeout: Double, every: Double = 0.25, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try body() { return true }
            Thread.sleep(forTimeInterval: every)
        }
        return try body()
    }

    /// A TCP port nobody listens on right now (bound to port 0, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Runs a program to completion (bounded) and returns its exit code and standard output.
    static func run(_ path: String, _ args: [String], timeout: Double = 30) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "en_US.UTF-8"; env["LC_ALL"] = "en_US.UTF-8"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Read while it runs so a full pipe never blocks it.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outBox.data, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }

    /// Log lines of a runner, collected thread-safely.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var _lines: [String] = []
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return _lines }
        func append(_ s: String) { lock.lock(); _lines.append(s); lock.unlock() }
        var sink: @Sendable (String) -> Void { { [self] in self.append($0) } }
    }

    /// Starts a SiteRunner for a YAML config on a fresh database; returns runner and db path.
    static func startRunner(yaml: String, dir: URL, log: Log) throws -> (SiteRunner, String) {
        let config = try ConfigLoader.parse(yaml: yaml, file: "ops-test.yaml")
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        var options = SiteRunOptions()
        options.log = log.sink
        let runner = try SiteRunner(config: config, configPath: nil, database: db, options: options)
        try runner.start(version: "ops-test")
        return (runner, dbPath)
    }

    static func alerts(_ dbPath: String, _ filter: AlertFilter = .all) throws -> [AlertRow] {
        let db = try GateDatabase.openReader(path: dbPath)
        defer { try? db.close() }
        return try StoreQueries(db).alerts(filter)
    }

    static func health(_ dbPath: String, feed: String) throws -> GateStore.FeedHealth? {
        let db = try GateDatabase.openReader(path: dbPath)
        defer { try? db.close() }
        return try StoreQueries(db).feedHealth().first { $0.feedId == feed }
    }

    static func crossings(_ dbPath: String) throws -> [CrossingRow] {
        let db = try GateDatabase.openReader(path: dbPath)
        defer { try? db.close() }
        return try StoreQueries(db).crossings(fromMs: 0, toMs: .max)
    }

    static func pipeline(_ dbPath: String) throws -> PipelineStatus? {
        let db = try GateDatabase.openReader(path: dbPath)
        defer { try? db.close() }
        return try StoreQueries(db).pipeline()
    }
}
