import CVisionLoader
import Foundation
import GateCore

/// Shared OpenCV capture handling for the file, stream and device sources.
public class CaptureSource {
    let uri: String
    let kind: gw_source_kind
    var capture: OpaquePointer?
    var nextIndex = 0
    var openTimeoutMs: Int
    var readTimeoutMs: Int

    init(uri: String, kind: gw_source_kind, openTimeoutMs: Int = 5000, readTimeoutMs: Int = 5000) {
        self.uri = uri; self.kind = kind; self.openTimeoutMs = openTimeoutMs; self.readTimeoutMs = readTimeoutMs
    }
    deinit { if let capture { gw_capture_free(capture) } }

    func openCapture() throws {
        closeCapture()
        let (c, err) = withErrorBuffer {
            gw_capture_open(uri, Int32(kind.rawValue), Int32(openTimeoutMs), Int32(readTimeoutMs), $0, $1)
        }
        guard let c else { throw VisionError(err) }
        capture = c
    }
    func closeCapture() {
        if let capture { gw_capture_free(capture) }
        capture = nil
    }
    /// 1 = frame, 0 = end / no frame.
    func readHandle() throws -> OpaquePointer? {
        guard let capture else { throw VisionError("\(uri) is not open") }
        var out: OpaquePointer? = nil
        let (rc, err) = withErrorBuffer { gw_capture_read(capture, &out, $0, $1) }
        if rc < 0 { throw VisionError(err) }
        return rc == 1 ? out : nil
    }
    var declaredFps: Double? {
        guard let capture else { return nil }
        let f = gw_capture_fps(capture)
        return f > 0 ? f : nil
    }
    /// The codec's four-character code as the container or stream declares it ("H264"), when open and said.
    public var codec: String? {
        guard let capture else { return nil }
        var buffer = [CChar](repeating: 0, count: 8)
        guard gw_capture_codec(capture, &buffer, Int32(buffer.count)) > 0 else { return nil }
        return String(cString: buffer)
    }
}

/// A video file: as fast as possible, or paced at its own frame rate (optionally looped)
/// when it stands in for a live camera. Timestamps map the frame position onto the
/// time the source was opened.
public final class FileSource: CaptureSource, FrameSource {
    public let path: String
    public let realtime: Bool
    public let loop: Bool
    private let clock: Clock
    private var startMs: Int64 = 0
    private var pending: OpaquePointer?
    private var fps: Double = 0
    /// Frames in the file, when the container says.
    public private(set) var frameCount: Int?
    /// How many times a looping file started again.
    public private(set) var loops = 0
    public var restarts: Int { loops }
    /// Time the last read() spent waiting for its frame's moment (pacing), not decoding.
    public private(set) var lastWaitMs: Double = 0
    public var lastPacingWaitMs: Double { lastWaitMs }

    public init(path: String, realtime: Bool = false, loop: Bool = false, clock: Clock = SystemClock()) {
        self.path = path; self.realtime = realtime; self.loop = loop; self.clock = clock
        super.init(uri: path, kind: GW_SOURCE_FILE)
    }
    deinit { if let pending { gw_frame_free(pending) } }

    public var description: String { "file \(path)" }
    public var nominalFps: Double? { fps > 0 ? fps : nil }
    /// A paced file behaves like a camera: the pipeline drops rather than blocks.
    public var isLive: Bool { realtime }
    /// A file that cannot be read does not come back by retrying: the feed ends.
    public var retriesAfterFailure: Bool { false }

    public func open() throws {
        close()
        try openCapture()
        fps = declaredFps ?? 0
        if let capture { let n = gw_capture_frame_count(capture); frameCount = n > 0 ? Int(n) : nil }
        // Decode the first frame now: a file that opens but holds no decodable picture fails here.
        guard let first = try readHandle() else {
            closeCapture()
            throw VisionError("no decodable video frames in \(path) (is it a video file?)")
        }
        pending = first
        nextIndex = 0
        loops = 0
        startMs = clock.nowMs()
    }

    public func read() throws -> Frame? {
        guard capture != nil else { throw VisionError("file \(path) is not open") }
        var handle: OpaquePointer?
        if let p = pending { handle = p; pending = nil } else { handle = try readHandle() }
        if handle == nil, loop, nextIndex > 0 {
            loops += 1
            if let capture, gw_capture_rewind(capture) != 0 { try openCapture() }
            handle = try readHandle()
        }
        guard let handle else { return nil }
        let index = nextIndex
        nextIndex += 1
        let period = 1000.0 / (fps > 0 ? fps : 25)
        let ts = startMs + Int64((Double(index) * period).rounded())
        lastWaitMs = 0
        if realtime {
            let wait = ts - clock.nowMs()
            if wait > 0 { Thread.sleep(forTimeInterval: Double(wait) / 1000); lastWaitMs = Double(wait) }
        }
        return Frame(handle: handle, index: index, timestampMs: ts)
    }

    public func close() {
        if let pending { gw_frame_free(pending) }
        pending = nil
        closeCapture()
    }
}

/// A network stream (rtsp://, http(s)://, ...) through FFmpeg with bounded open and read
/// timeouts, so a dead camera fails in seconds instead of hanging the worker.
public final class StreamSource: CaptureSource, FrameSource {
    public let url: String
    private let clock: Clock
    private var fps: Double = 0

    /// Opening probes the first frames, so a slow camera needs a few seconds; a dead one
    /// fails at once (refused) or after `openTimeoutMs` (no answer).
    public init(url: String, openTimeoutMs: Int = 10_000, readTimeoutMs: Int = 5000, clock: Clock = SystemClock()) {
        self.url = url; self.clock = clock
        super.init(uri: url, kind: GW_SOURCE_STREAM, openTimeoutMs: openTimeoutMs, readTimeoutMs: readTimeoutMs)
    }
    public var description: String { "stream \(redactedURL(url))" }
    public var nominalFps: Double? { fps > 0 ? fps : nil }
    public var isLive: Bool { true }
    public func open() throws {
        do { try openCapture() } catch let e as VisionError { throw VisionError(e.message.replacingOccurrences(of: url, with: redactedURL(url))) }
        fps = declaredFps ?? 0
    }
    public func read() throws -> Frame? {
        guard let h = try readHandle() else {
            throw VisionError("stream \(redactedURL(url)) stopped sending frames (closed, or no frame within \(readTimeoutMs) ms)")
        }
        defer { nextIndex += 1 }
        return Frame(handle: h, index: nextIndex, timestampMs: clock.nowMs())
    }
    public func close() { closeCapture() }
}

/// A V4L2 camera (/dev/videoN).
public final class DeviceSource: CaptureSource, FrameSource {
    public let device: String
    private let clock: Clock
    private var fps: Double = 0
    public init(device: String, clock: Clock = SystemClock()) {
        self.device = device; self.clock = clock
        super.init(uri: device, kind: GW_SOURCE_DEVICE)
    }
    public var description: String { "device \(device)" }
    public var nominalFps: Double? { fps > 0 ? fps : nil }
    public var isLive: Bool { true }
    public func open() throws {
        try openCapture()
        fps = declaredFps ?? 0
    }
    public func read() throws -> Frame? {
        guard let h = try readHandle() else { throw VisionError("device \(device) stopped delivering frames") }
        defer { nextIndex += 1 }
        return Frame(handle: h, index: nextIndex, timestampMs: clock.nowMs())
    }
    public func close() { closeCapture() }
}

/// What kind of source a feed's `source:` string names.
public enum SourceKind: Equatable, Sendable {
    case file(String)
    case stream(String)
    case device(String)
    case synthetic(String)

    /// Cameras and network streams: frames arrive in real time and the source can come back after a failure.
    public var isLive: Bool {
        switch self { case .stream, .device: return true; case .file, .synthetic: return false }
    }

    /// Whether a feed's `source:` names a live camera or stream (false for anything unparsable).
    public static func isLiveURI(_ uri: String) -> Bool { (try? parse(uri))?.isLive ?? false }

    public static func parse(_ uri: String) throws -> SourceKind {
        let s = uri.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw VisionError("empty video source: give a file path, an rtsp:// or http(s):// URL, /dev/videoN or synthetic:NAME") }
        let lower = s.lowercased()
        if lower.hasPrefix("synthetic:") { return .synthetic(String(s.dropFirst("synthetic:".count))) }
        if lower.hasPrefix("file://") { return .file(String(s.dropFirst("file://".count))) }
        for scheme in ["rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://", "tcp://", "srt://"] where lower.hasPrefix(scheme) {
            return .stream(s)
        }
        if lower.hasPrefix("/dev/video") { return .device(s) }
        if let n = Int(s), n >= 0 { return .device("/dev/video\(n)") }
        if let r = s.range(of: "://") {
            throw VisionError("unsupported video source scheme '\(s[..<r.lowerBound])' in \(redactedURL(s)): use a file path, rtsp://, http(s)://, /dev/videoN or synthetic:NAME")
        }
        return .file(s)
    }
}

/// Builds the camera, stream or file source a feed names. With `openNow` (the default) it is
/// opened at once, so a missing or undecodable file or a stream that does not answer throws
/// one clear line here. Synthetic scenes live in GateSynth: a feed's source of any kind,
/// scenes included, is built by GateRuntime's `makeFeedSource`, which calls this for the rest.
public func makeFrameSource(uri: String, realtime: Bool, loop: Bool, openNow: Bool = true,
                            clock: Clock = SystemClock()) throws -> FrameSource {
    let source: FrameSource
    switch try SourceKind.parse(uri) {
    case .file(let path): source = FileSource(path: path, realtime: realtime, loop: loop, clock: clock)
    case .stream(let url): source = StreamSource(url: url, clock: clock)
    case .device(let dev): source = DeviceSource(device: dev, clock: clock)
    case .synthetic:
        throw VisionError("\(uri) is a synthetic scene, not a camera or a file: build it with makeFeedSource (GateRuntime)")
    }
    if openNow { try source.open() }
    return source
}

/// A feed whose source could not be set up when the site started (a video file missing,
/// not decodable, a bad synthetic spec): it behaves as a camera that does not answer, so
/// the other feeds of the site run while this one shows offline with the reason, and it
/// is retried with the reconnect back-off in case the file appears.
public final class UnavailableSource: FrameSource {
    private let make: () throws -> FrameSource
    private var inner: FrameSource?
    /// Added to every error: where the source is written in the config.
    private let position: String?
    /// The configured source text, masked in every error (it may hold a password).
    private let uri: String
    public let description: String

    public init(description: String, uri: String, position: String?, make: @escaping () throws -> FrameSource) {
        self.description = description; self.uri = uri; self.position = position; self.make = make
    }

    public var nominalFps: Double? { inner?.nominalFps }
    public var isLive: Bool { true }
    public var lastPacingWaitMs: Double { inner?.lastPacingWaitMs ?? 0 }
    public var restarts: Int { inner?.restarts ?? 0 }
    public var frameCount: Int? { inner?.frameCount }

    public func open() throws {
        do {
            let source = try make()
            try source.open()
            inner = source
        } catch {
            throw VisionError(Self.message(error, uri: uri, position: position))
        }
    }

    public func read() throws -> Frame? {
        guard let inner else {
            throw VisionError(Self.message(VisionError("\(description) is not open"), uri: uri, position: position))
        }
        return try inner.read()
    }

    public func close() { inner?.close(); inner = nil }

    /// The error with the config position: "video file not found: x.mp4 (site.yaml:14:17)",
    /// with any password in the configured source masked.
    public static func message(_ error: Error, uri: String, position: String?) -> String {
        var text = (error as? VisionError)?.message ?? "\(error)"
        if !uri.isEmpty { text = text.replacingOccurrences(of: uri, with: redactedURL(uri)) }
        return position.map { "\(text) (\($0))" } ?? text
    }
}
