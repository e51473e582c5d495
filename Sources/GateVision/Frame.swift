import CVisionLoader
import GateCore

/// One decoded BGR picture, owning its OpenCV buffer.
public final class Frame: @unchecked Sendable {
    public let handle: OpaquePointer
    /// Index from the start of the source (0-based).
    public let index: Int
    /// When the frame was captured (UTC ms), or its position in a file mapped onto the run's start.
    public let timestampMs: Int64
    public init(handle: OpaquePointer, index: Int, timestampMs: Int64) {
        self.handle = handle; self.index = index; self.timestampMs = timestampMs
    }
    deinit { gw_frame_free(handle) }
    public var width: Int { Int(gw_frame_width(handle)) }
    public var height: Int { Int(gw_frame_height(handle)) }

    /// The picture shrunk to `w` × `h`, as RGB bytes row by row (a console's preview).
    public func rgb(width w: Int, height h: Int) -> [UInt8]? {
        guard w > 0, h > 0, let small = gw_frame_resize(handle, Int32(w), Int32(h)) else { return nil }
        defer { gw_frame_free(small) }
        guard let data = gw_frame_data(small) else { return nil }
        let step = Int(gw_frame_step(small))
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            let row = data + y * step
            for x in 0..<w {
                let o = (y * w + x) * 3
                rgb[o] = row[x * 3 + 2]; rgb[o + 1] = row[x * 3 + 1]; rgb[o + 2] = row[x * 3]   // BGR -> RGB
            }
        }
        return rgb
    }

    /// The pixels of `r` as a new frame (same index and time); nil when `r` misses the picture.
    public func cropped(_ r: PixelRect) -> Frame? {
        gw_frame_crop(handle, Int32(r.x), Int32(r.y), Int32(r.width), Int32(r.height))
            .map { Frame(handle: $0, index: index, timestampMs: timestampMs) }
    }
}

/// Where frames come from: a file, a network stream, a V4L2 device or a synthetic scene.
public protocol FrameSource: AnyObject {
    /// Human-readable description for messages ("file samples/x.avi").
    var description: String { get }
    /// The source's own frame rate, when known.
    var nominalFps: Double? { get }
    /// True for cameras and streams (frames arrive in real time; drop rather than block).
    var isLive: Bool { get }
    /// Opens (or reopens after a failure). Throws a `VisionError` with a one-line message.
    func open() throws
    /// The next frame, or nil at the end of a file. Throws when a live source fails.
    func read() throws -> Frame?
    func close()
    /// Milliseconds the last `read()` slept to pace frames at the source's rate
    /// (so the time is not reported as decoding). 0 for unpaced sources.
    var lastPacingWaitMs: Double { get }
    /// How many times a looping source started again from its beginning (0 for others):
    /// the picture after a loop is not a continuation of the one before it.
    var restarts: Int { get }
    /// Frames in the source when it is finite and says so (a file, a scene), for progress.
    var frameCount: Int? { get }
    /// Whether a failed open or read is retried with back-off (cameras, streams, a source
    /// not set up yet) rather than ending the feed (a file).
    var retriesAfterFailure: Bool { get }
}

extension FrameSource {
    public var lastPacingWaitMs: Double { 0 }
    public var restarts: Int { 0 }
    public var frameCount: Int? { nil }
    public var retriesAfterFailure: Bool { isLive }
}

/// Finds people in a frame. Boxes come back normalised to 0…1.
public protocol PersonDetector: AnyObject {
    var name: String { get }
    func detect(_ frame: Frame) throws -> [Detection]
    /// Lets the detector also report people it is unsure of, down to `floor`, when it
    /// can (the tracker uses those only to keep existing tracks alive); returns the lowest
    /// score it will now report.
    func reportWeakDetections(downTo floor: Double, confidence: Double) -> Double
    /// The same detector as a model several feeds can share (a detection engine's), or nil
    /// when it must stay with its feed (state of its own, or a fallback).
    var sharedModel: SharedModelDetector? { get }
    /// How much the detector's runs queue up behind other feeds' (a busy shared engine): the
    /// feed then spaces its full-rate runs out (see `DetectionCadence.scheduledEvery`).
    var load: EngineLoad { get }
}

extension PersonDetector {
    /// Detectors without a usable weak band report from the feed's confidence.
    public func reportWeakDetections(downTo floor: Double, confidence: Double) -> Double { confidence }
    public var sharedModel: SharedModelDetector? { nil }
    public var load: EngineLoad { .normal }
}

/// Errors from the vision layer; `message` is one line for the user: what, where, what to do.
public struct VisionError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
