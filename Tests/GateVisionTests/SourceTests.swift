import Foundation
import GateCore
import GateVision
import XCTest

final class SourceTests: XCTestCase {
    func testWrittenClipReadsBackWithRateAndTimestamps() throws {
        let dir = try makeTempDir()
        let path = dir + "/clip.avi"
        try writeClip(path, frames: 20, fps: 10)
        let clock = ManualClock(startMs: 1_000_000)
        let source = try makeFrameSource(uri: path, realtime: false, loop: false, clock: clock)
        XCTAssertFalse(source.isLive)
        XCTAssertEqual(source.nominalFps ?? 0, 10, accuracy: 0.01)
        var frames: [Frame] = []
        while let f = try source.read() { frames.append(f) }
        XCTAssertEqual(frames.count, 20)
        XCTAssertEqual(frames.map(\.index), Array(0..<20))
        XCTAssertEqual(frames[0].width, 160)
        XCTAssertEqual(frames[0].height, 120)
        XCTAssertEqual(frames[0].timestampMs, 1_000_000)
        XCTAssertEqual(frames[10].timestampMs, 1_001_000)
        XCTAssertEqual((source as? FileSource)?.frameCount, 20)
        XCTAssertNil(try source.read(), "a file stays at its end")
        source.close()
    }

    func testLoopingFileStartsAgain() throws {
        let dir = try makeTempDir()
        let path = dir + "/loop.avi"
        try writeClip(path, frames: 10)
        let source = FileSource(path: path, loop: true)
        try source.open()
        for i in 0..<35 {
            let f = try XCTUnwrap(try source.read(), "frame \(i)")
            XCTAssertEqual(f.index, i)
        }
        XCTAssertEqual(source.loops, 3)
    }

    func testPacedFileTakesItsOwnTime() throws {
        let dir = try makeTempDir()
        let path = dir + "/paced.avi"
        try writeClip(path, frames: 6, fps: 20)
        let source = FileSource(path: path, realtime: true)
        XCTAssertTrue(source.isLive)
        try source.open()
        let t0 = Date()
        var n = 0
        while try source.read() != nil { n += 1 }
        let elapsed = Date().timeIntervalSince(t0)
        XCTAssertEqual(n, 6)
        // 6 frames at 20 fps: the last is due 250 ms after the first.
        XCTAssertGreaterThanOrEqual(elapsed, 0.24)
    }

    func testMissingFileFailsWithOneLine() {
        XCTAssertThrowsError(try makeFrameSource(uri: "/nonexistent/dir/clip.avi", realtime: false, loop: false)) {
            assertOneLine($0, contains: "not found: /nonexistent/dir/clip.avi")
        }
    }

    func testGarbageFileFailsWithOneLine() throws {
        let dir = try makeTempDir()
        let path = dir + "/garbage.avi"
        var bytes = [UInt8](repeating: 0, count: 50_000)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try makeFrameSource(uri: path, realtime: false, loop: false)) {
            assertOneLine($0, contains: path)
        }
    }

    func testUnreachableStreamFailsQuicklyWithOneLine() {
        let t0 = Date()
        XCTAssertThrowsError(try makeFrameSource(uri: "rtsp://127.0.0.1:1/cam", realtime: false, loop: false)) {
            assertOneLine($0, contains: "rtsp://127.0.0.1:1/cam")
        }
        let elapsed = Date().timeIntervalSince(t0)
        print("unreachable rtsp stream failed after \(String(format: "%.2f", elapsed)) s")
        // Bounded by the 5 s open timeout (generous margin for a loaded machine).
        XCTAssertLessThan(elapsed, 20)
    }

    func testMissingDeviceFailsWithOneLine() {
        XCTAssertThrowsError(try makeFrameSource(uri: "/dev/video99", realtime: false, loop: false)) {
            assertOneLine($0, contains: "/dev/video99")
        }
    }

    func testSchemes() throws {
        XCTAssertEqual(try SourceKind.parse("rtsp://cam/1"), .stream("rtsp://cam/1"))
        XCTAssertEqual(try SourceKind.parse("HTTPS://cam/x.mjpg"), .stream("HTTPS://cam/x.mjpg"))
        XCTAssertEqual(try SourceKind.parse("/dev/video2"), .device("/dev/video2"))
        XCTAssertEqual(try SourceKind.parse("0"), .device("/dev/video0"))
        XCTAssertEqual(try SourceKind.parse("file:///tmp/a.avi"), .file("/tmp/a.avi"))
        XCTAssertEqual(try SourceKind.parse("clips/a.mp4"), .file("clips/a.mp4"))
        XCTAssertEqual(try SourceKind.parse("synthetic:pairs"), .synthetic("pairs"))
        XCTAssertThrowsError(try SourceKind.parse("ftp://x/y")) { assertOneLine($0, contains: "ftp") }
        XCTAssertThrowsError(try SourceKind.parse("  ")) { assertOneLine($0, contains: "empty") }
        // Scenes are GateSynth's: GateRuntime's makeFeedSource builds them (FeedSourcesTests).
        XCTAssertThrowsError(try makeFrameSource(uri: "synthetic:pairs", realtime: false, loop: false, openNow: false)) {
            assertOneLine($0, contains: "synthetic:pairs")
        }
    }

    func testPasswordsAreHidden() {
        XCTAssertEqual(redactedURL("rtsp://admin:secret@10.0.0.5/stream"), "rtsp://admin:***@10.0.0.5/stream")
        XCTAssertEqual(redactedURL("rtsp://10.0.0.5/stream"), "rtsp://10.0.0.5/stream")
    }

    func testImageRoundTripAndJPEG() throws {
        let dir = try makeTempDir()
        let f = Frame.blank(width: 64, height: 48)
        f.fill(x: 8, y: 8, width: 16, height: 16, blue: 0, green: 0, red: 255)
        try f.writeImage(to: dir + "/a.png")
        try f.writeImage(to: dir + "/a.jpg")
        XCTAssertEqual(try Frame.read(imageAt: dir + "/a.jpg").width, 64, "the extension picks the format")
        let back = try Frame.read(imageAt: dir + "/a.png")
        XCTAssertEqual(back.width, 64)
        let jpeg = try f.jpegData(quality: 80)
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8])
        XCTAssertThrowsError(try f.writeImage(to: "/nonexistent/dir/a.png")) { assertOneLine($0, contains: "/nonexistent/dir/a.png") }
        XCTAssertThrowsError(try f.writeImage(to: dir + "/a.xyz")) { assertOneLine($0, contains: ".png or .jpg") }
        XCTAssertThrowsError(try Frame.read(imageAt: dir + "/none.png")) { assertOneLine($0, contains: "not found") }
        XCTAssertThrowsError(try VideoWriter(path: "/nonexistent/dir/v.avi", fps: 10, width: 64, height: 48)) {
            assertOneLine($0, contains: "/nonexistent/dir/v.avi")
        }
        let small = f.resized(width: 32, height: 24)
        XCTAssertEqual(small.width, 32)
        XCTAssertEqual(small.height, 24)
    }
}

/// A real network stream on loopback: ffmpeg serves MPEG-TS over HTTP.
final class StreamSourceTests: XCTestCase {
    private func startServer(port: Int) throws -> Process {
        guard let ffmpeg = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("ffmpeg not installed")
        }
        try requireFile(vtestPath, "vtest.avi")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", vtestPath,
                       "-c:v", "mpeg2video", "-q:v", "8", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(port)/live.ts"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func testReadsALiveHTTPStreamAndFailsWhenItStops() throws {
        let port = Int.random(in: 20000...40000)
        let server = try startServer(port: port)
        defer { if server.isRunning { server.terminate() } }
        let source = StreamSource(url: "http://127.0.0.1:\(port)/live.ts", openTimeoutMs: 5000, readTimeoutMs: 2000)
        XCTAssertTrue(source.isLive)
        var opened = false
        for _ in 0..<20 where !opened {  // the server needs a moment to listen
            do { try source.open(); opened = true } catch { Thread.sleep(forTimeInterval: 0.25) }
        }
        XCTAssertTrue(opened, "could not open the loopback stream")
        guard opened else { return }
        var frames: [Frame] = []
        for _ in 0..<10 { if let f = try source.read() { frames.append(f) } }
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual(frames.first?.width, 768)
        XCTAssertEqual(frames.map(\.index), Array(0..<10))
        server.terminate()
        server.waitUntilExit()
        let t0 = Date()
        var failure: Error?
        do { for _ in 0..<500 { _ = try source.read() } } catch { failure = error }
        let elapsed = Date().timeIntervalSince(t0)
        print("stream stop noticed after \(String(format: "%.2f", elapsed)) s")
        XCTAssertNotNil(failure, "a stopped stream must fail, not hang")
        if let failure { assertOneLine(failure, contains: "127.0.0.1:\(port)") }
        source.close()
    }

    func testPipelineReconnectsWhenTheStreamComesBack() throws {
        let port = Int.random(in: 20000...40000)
        var server = try startServer(port: port)
        defer { if server.isRunning { server.terminate() } }
        Thread.sleep(forTimeInterval: 0.5)
        let url = "http://127.0.0.1:\(port)/live.ts"
        // Opening probes a few frames of a 10 fps stream: allow the default 5 s.
        let source = StreamSource(url: url, openTimeoutMs: 5000, readTimeoutMs: 2000)
        let feed = FeedConfig(id: "cam", name: "cam", source: url, detectEvery: 1, lines: [])
        let p = FeedPipeline(feed: feed, gateId: "g", source: source, detector: CountingDetector(),
                             backoff: Backoff(base: 0.2, cap: 0.5, random: { 0.5 }))
        p.start()
        defer { p.stop(); p.wait() }
        func waitFor(_ what: String, _ cond: (WorkerStatus) -> Bool) -> WorkerStatus {
            let deadline = Date().addingTimeInterval(20)
            var h = p.status()
            while !cond(h) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05); h = p.status() }
            XCTAssertTrue(cond(h), "timed out waiting for \(what): \(h)")
            return h
        }
        _ = waitFor("live frames") { $0.state == .live && $0.framesProcessed >= 5 }
        server.terminate(); server.waitUntilExit()
        let down = waitFor("reconnecting") { $0.state == .reconnecting }
        XCTAssertNotNil(down.lastError)
        let before = down.framesCaptured
        server = try startServer(port: port)
        let back = waitFor("live again") { $0.state == .live && $0.framesCaptured > before + 5 }
        print("reconnected after \(back.reconnects) attempts; last error: \(back.lastError ?? "-")")
        XCTAssertGreaterThanOrEqual(back.reconnects, 1)
        XCTAssertGreaterThan(back.framesProcessed, 5)
    }
}
