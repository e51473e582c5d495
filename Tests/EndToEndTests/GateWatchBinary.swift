import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the end-to-end tests: they run the real built `gatewatch` binary
/// (`.build/debug/gatewatch`, built by `scripts/test` before `swift test`) as a child
/// process, always with a time bound, so a hung child can never hang the suite.

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ProcResult {
    var status: Int32
    var reason: Process.TerminationReason
    var stdout: String
    var stderr: String
    var seconds: Double
    var timedOut: Bool

    /// Non-empty lines of standard error.
    var stderrLines: [String] {
        stderr.split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    var summary: String {
        "exit \(status) (\(reason == .exit ? "exit" : "signal"))\(timedOut ? " TIMED OUT" : ""), "
            + String(format: "%.1f s", seconds)
            + "\n--- stdout:\n\(stdout.prefix(2000))\n--- stderr:\n\(stderr.prefix(2000))"
    }

    /// Parses standard output as one JSON object.
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        guard let data = stdout.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw E2EError("stdout is not one JSON object: \(summary)")
        }
        return object
    }
}

enum GW {
    /// The package root, found from this file's path (Tests/EndToEndTests/<file>).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: URL = packageRoot.appendingPathComponent(".build/debug/gatewatch")

    static let fixtures: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let dataDir = "/usr/share/doc/opencv-doc/examples/data"
    static var vtest: String { dataDir + "/vtest.avi" }
    static var tree: String { dataDir + "/tree.avi" }

    static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw E2EError("gatewatch binary missing at \(binary.path): run `swift build` "
                + "(scripts/test does) before `swift test --filter EndToEndTests`")
        }
    }

    static func requireFile(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw E2EError("\(path) missing: install opencv-doc (scripts/setup does)")
        }
    }

    /// Runs gatewatch with `args` and waits at most `timeout` seconds (then TERM, then KILL).
    static func run(_ args: [String], timeout: Double, cwd: URL? = nil, extraEnv: [String: String] = [:]) throws -> ProcResult {
        let child = try Child(args, cwd: cwd, extraEnv: extraEnv)
        return child.wait(timeout: timeout)
    }

    /// A fresh temporary directory, removed when the test ends.
    /// A port free right now on loopback (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw E2EError("no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func tempDir(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("gatewatch-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

/// One running gatewatch process with its output collected on background threads
/// (so a full pipe never blocks it).
final class Child {
    let process = Process()
    private let outPipe = Pipe()
    private let errPipe = Pipe()
    private var outData = Data()
    private var errData = Data()
    private let lock = NSLock()
    private let exited = DispatchSemaphore(value: 0)
    private let readers = DispatchGroup()
    private let started = Date()
    private var result: ProcResult?

    /// Runs `executable` (default: the gatewatch binary; the project's scripts for their tests).
    init(_ args: [String], executable: URL = GW.binary, cwd: URL? = nil, extraEnv: [String: String] = [:]) throws {
        if executable == GW.binary { try GW.requireBinary() }
        process.executableURL = executable
        process.arguments = args
        if let cwd { process.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"   // English text output, UTF-8 safe
        env.merge(extraEnv) { _, new in new }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outPipe
        process.standardError = errPipe
        let sem = exited
        process.terminationHandler = { _ in sem.signal() }
        try process.run()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            readers.enter()
            DispatchQueue.global().async { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                lock.lock()
                if isOut { outData = data } else { errData = data }
                lock.unlock()
                readers.leave()
            }
        }
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits for the exit, at most `timeout` seconds; a child still running then is
    /// terminated (and killed 3 s later) and the result is marked timed out.
    func wait(timeout: Double) -> ProcResult {
        if let result { return result }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGTERM)
            if exited.wait(timeout: .now() + 3) == .timedOut {
                kill(pid, SIGKILL)
                exited.wait()
            }
        }
        _ = readers.wait(timeout: .now() + 5)
        lock.lock()
        let out = String(decoding: outData, as: UTF8.self)
        let err = String(decoding: errData, as: UTF8.self)
        lock.unlock()
        let r = ProcResult(status: process.terminationStatus, reason: process.terminationReason,
                           stdout: out, stderr: err, seconds: Date().timeIntervalSince(started),
                           timedOut: timedOut)
        result = r
        return r
    }

    /// Last resort for a test that fails before stopping its child.
    func stopIfRunning() {
        if process.isRunning { _ = wait(timeout: 0) }
    }
}

/// Numeric helpers for JSON values (JSONSerialization gives NSNumber).
func int(_ any: Any?) -> Int? { (any as? NSNumber)?.intValue }
func double(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }

/// A crossing as printed by `count --json` or written by `synth --truth`.
struct Crossing: CustomStringConvertible {
    var frame: Int
    var direction: String
    var description: String { "\(direction)@\(frame)" }

    static func list(_ any: Any?) -> [Crossing] {
        ((any as? [[String: Any]]) ?? []).compactMap {
            guard let f = int($0["frame"]), let d = $0["direction"] as? String else { return nil }
            return Crossing(frame: f, direction: d)
        }.sorted { ($0.frame, $0.direction) < ($1.frame, $1.direction) }
    }
}

struct CrossingMatch {
    var pairs: [(truth: Crossing, counted: Crossing)]
    var missing: [Crossing]   // in the truth, not counted
    var extra: [Crossing]     // counted, not in the truth

    /// Pairs each truth crossing with a counted one of the same direction, closest first,
    /// within `tolerance` frames (or a wider window given per truth frame).
    static func match(truth: [Crossing], counted: [Crossing], tolerance: Int,
                      windows: [Int: ClosedRange<Int>] = [:]) -> CrossingMatch {
        var candidates: [(Int, Int, Int)] = []   // (distance, truth index, counted index)
        for (i, t) in truth.enumerated() {
            let window = windows[t.frame] ?? (t.frame - tolerance)...(t.frame + tolerance)
            for (j, c) in counted.enumerated() where c.direction == t.direction && window.contains(c.frame) {
                candidates.append((abs(c.frame - t.frame), i, j))
            }
        }
        candidates.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var usedT = Set<Int>(), usedC = Set<Int>()
        var pairs: [(Crossing, Crossing)] = []
        for (_, i, j) in candidates where !usedT.contains(i) && !usedC.contains(j) {
            usedT.insert(i); usedC.insert(j)
            pairs.append((truth[i], counted[j]))
        }
        pairs.sort { $0.0.frame < $1.0.frame }
        return CrossingMatch(
            pairs: pairs,
            missing: truth.enumerated().filter { !usedT.contains($0.offset) }.map(\.element),
            extra: counted.enumerated().filter { !usedC.contains($0.offset) }.map(\.element))
    }

    /// One row per truth crossing (matched or MISSING), then the EXTRA counted ones.
    func table() -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var rows: [(Int, String)] = pairs.map { p in
            (p.truth.frame, pad("  \(p.truth)", 14) + pad("\(p.counted)", 12) + "\(p.counted.frame - p.truth.frame >= 0 ? "+" : "")\(p.counted.frame - p.truth.frame)")
        }
        rows += missing.map { ($0.frame, pad("  \($0)", 14) + "MISSING") }
        rows.sort { $0.0 < $1.0 }
        var lines = ["  truth       counted     delta"] + rows.map(\.1)
        lines += extra.map { pad("  EXTRA", 14) + "\($0)" }
        return lines.joined(separator: "\n")
    }
}
