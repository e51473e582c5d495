import Foundation
import XCTest

/// Short commands start cheaply: OpenCV (~260 shared libraries, most of a command's start-up
/// cost) is loaded only by the commands that look at pictures, on their first vision call.
final class StartupEndToEndTests: XCTestCase {
    /// The shared objects the dynamic loader opened for one run of gatewatch (LD_DEBUG=files).
    private func loadedLibraries(_ args: [String], dir: URL) throws -> (ProcResult, [String]) {
        let r = try GW.run(args, timeout: 120, cwd: dir, extraEnv: ["LD_DEBUG": "files"])
        let libs = r.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "file=") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != " " && $0 != ";" })
        }
        return (r, Array(Set(libs)))
    }

    func testShortCommandsDoNotLoadOpenCV() throws {
        let dir = try GW.tempDir(self)
        for args in [["--version"], ["status", "--db", dir.appendingPathComponent("none.sqlite").path],
                     ["check-config", "--keys"]] {
            let (r, libs) = try loadedLibraries(args, dir: dir)
            XCTAssertFalse(libs.contains { $0.contains("opencv") }, "\(args): loaded \(libs.filter { $0.contains("opencv") })")
            XCTAssertFalse(libs.contains { $0.contains("GateWatchVision") }, "\(args)")
            XCTAssertFalse(r.timedOut, r.summary)
        }
        // A command that decodes pictures does load it, on its own.
        let (r, libs) = try loadedLibraries(["count", GW.vtest, "--line", "0,0.5,1,0.5", "--inside", "0.5,0.9", "--detector", "motion"], dir: dir)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertTrue(libs.contains { $0.contains("libGateWatchVision.so") }, "\(libs.sorted())")
        XCTAssertTrue(libs.contains { $0.contains("libopencv_videoio") }, "\(libs.sorted())")
    }

    /// A binary installed without its vision library says so in one line (where it looked, what
    /// to do) when a command needs pictures; the short commands still work.
    func testMissingVisionLibraryIsOneClearLine() throws {
        let dir = try GW.tempDir(self)
        let copy = dir.appendingPathComponent("gatewatch")
        try FileManager.default.copyItem(at: GW.binary, to: copy)
        func run(_ args: [String]) throws -> (Int32, String, String) {
            let p = Process()
            p.executableURL = copy
            p.arguments = args
            var env = ProcessInfo.processInfo.environment
            env["GATEWATCH_VISION_LIB"] = dir.appendingPathComponent("missing.so").path
            env["LD_LIBRARY_PATH"] = nil
            p.environment = env
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
        }
        let version = try run(["--version"])
        XCTAssertEqual(version.0, 0, version.2)
        let count = try run(["count", GW.vtest, "--line", "0,0.5,1,0.5", "--inside", "0.5,0.9", "--detector", "motion"])
        XCTAssertEqual(count.0, 70, count.2)
        let lines = count.2.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, count.2)
        XCTAssertTrue(count.2.contains("cannot load the vision library libGateWatchVision.so"), count.2)
        XCTAssertTrue(count.2.contains("GATEWATCH_VISION_LIB"), count.2)
    }

    /// The trampolines are generated from the C ABI's headers; a header changed without them
    /// would call the wrong signature.
    func testVisionTrampolinesMatchTheHeaders() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", GW.packageRoot.appendingPathComponent("scripts/gen-vision-loader").path, "--check"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: e, as: UTF8.self))
    }
}
