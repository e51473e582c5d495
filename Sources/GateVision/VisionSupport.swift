import CVisionLoader
import Foundation
import GateCore

/// Calls a C entry point that reports failure through a one-line error buffer.
@inline(__always)
func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int32) -> T) -> (T, String) {
    var buffer = [CChar](repeating: 0, count: 512)
    let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, Int32($0.count)) }
    let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return (result, message)
}

/// OpenCV's own thread pool size (0 = its default). On 2 cores the pipeline measures best
/// with 2 threads for the DNN while decoding runs on its own thread (see benchmarkCount).
public enum VisionThreads {
    public static func set(_ n: Int) { gw_set_num_threads(Int32(n)) }
    public static var current: Int { Int(gw_get_num_threads()) }
}

public var openCVVersion: String { String(cString: gw_opencv_version()) }
/// Where the vision library (`libGateWatchVision.so`) was loaded from; nil before the first vision call.
public var visionLibraryPath: String? {
    let path = String(cString: gw_vision_library_path())
    return path.isEmpty ? nil : path
}

extension Frame {
    /// A new black frame (owned).
    public static func blank(width: Int, height: Int, index: Int = 0, timestampMs: Int64 = 0) -> Frame {
        Frame(handle: gw_frame_new(Int32(width), Int32(height)), index: index, timestampMs: timestampMs)
    }
    /// Reads a PNG/JPEG image file.
    public static func read(imageAt path: String, index: Int = 0, timestampMs: Int64 = 0) throws -> Frame {
        let (h, err) = withErrorBuffer { gw_image_read(path, $0, $1) }
        guard let h else { throw VisionError(err) }
        return Frame(handle: h, index: index, timestampMs: timestampMs)
    }
    public func clone() -> Frame {
        Frame(handle: gw_frame_clone(handle), index: index, timestampMs: timestampMs)
    }
    public func resized(width: Int, height: Int) -> Frame {
        Frame(handle: gw_frame_resize(handle, Int32(width), Int32(height)), index: index, timestampMs: timestampMs)
    }
    /// The picture moved by (dx, dy) pixels, edges replicated (a knocked camera).
    public func translated(dx: Int, dy: Int) -> Frame {
        Frame(handle: gw_frame_translate(handle, Int32(dx), Int32(dy)), index: index, timestampMs: timestampMs)
    }
    /// Paints a solid rectangle (pixels, BGR order); for tests and tamper scenes.
    public func fill(x: Int, y: Int, width: Int, height: Int, blue: Int, green: Int, red: Int) {
        gw_frame_fill_rect(handle, Int32(x), Int32(y), Int32(width), Int32(height), Int32(blue), Int32(green), Int32(red))
    }
    /// Writes an image file, PNG or JPEG by the extension.
    public func writeImage(to path: String) throws {
        let (rc, err) = withErrorBuffer { gw_image_write(handle, path, $0, $1) }
        if rc != 0 { throw VisionError(err) }
    }
    public func jpegData(quality: Int = 85) throws -> Data {
        try encoded { gw_jpeg_encode(handle, Int32(quality), &$0, &$1, $2, $3) }
    }
    /// The picture as PNG bytes (lossless: evidence pictures, report images).
    public func pngData() throws -> Data {
        try encoded { gw_png_encode(handle, &$0, &$1, $2, $3) }
    }
    private func encoded(_ encode: (inout UnsafeMutablePointer<UInt8>?, inout Int, UnsafeMutablePointer<CChar>, Int32) -> Int32) throws -> Data {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var len = 0
        let (rc, err) = withErrorBuffer { encode(&out, &len, $0, $1) }
        guard rc == 0, let out else { throw VisionError(err) }
        defer { gw_buffer_free(out) }
        return Data(bytes: out, count: len)
    }
    /// The colour at (x, y) as (blue, green, red); nil outside the picture (tests, checks).
    public func pixel(x: Int, y: Int) -> (blue: Int, green: Int, red: Int)? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let p = gw_frame_data(handle)! + y * Int(gw_frame_step(handle)) + x * 3
        return (Int(p[0]), Int(p[1]), Int(p[2]))
    }
}

/// Writes MJPG .avi clips (`gatewatch synth` and the tests use it).
public final class VideoWriter {
    private var handle: OpaquePointer?
    public let path: String
    public init(path: String, fps: Double, width: Int, height: Int) throws {
        self.path = path
        let (h, err) = withErrorBuffer { gw_writer_open(path, fps, Int32(width), Int32(height), $0, $1) }
        guard let h else { throw VisionError(err) }
        handle = h
    }
    public func write(_ frame: Frame) throws {
        guard let handle else { throw VisionError("video \(path) is already closed") }
        let (rc, err) = withErrorBuffer { gw_writer_write(handle, frame.handle, $0, $1) }
        if rc != 0 { throw VisionError(err) }
    }
    /// Finishes the file; further writes fail.
    public func close() {
        if let handle { gw_writer_close(handle) }
        handle = nil
    }
    deinit { close() }
}

/// Changed-pixel share between consecutive measured frames on a small blurred grey image.
public final class MotionGate {
    private let handle: OpaquePointer
    /// Share of changed pixels (0…1) at or above which a frame "has motion".
    public var threshold: Double
    public init(smallWidth: Int = 160, pixelThreshold: Int = 20, threshold: Double = 0.002) {
        handle = gw_motion_new(Int32(smallWidth), Int32(pixelThreshold))
        self.threshold = threshold
    }
    deinit { gw_motion_free(handle) }
    /// Share of pixels changed since the previous call (1 on the first frame).
    public func measure(_ frame: Frame) -> Double { gw_motion_measure(handle, frame.handle) }
    public func hasMotion(_ frame: Frame) -> Bool { measure(frame) >= threshold }
    public func reset() { gw_motion_reset(handle) }
}

/// Brightness, contrast, sharpness, change and reference similarity of frames of one feed.
public final class FrameStatsMeter {
    private let handle: OpaquePointer
    public private(set) var hasReference = false
    public init() { handle = gw_stats_new() }
    deinit { gw_stats_free(handle) }
    /// `change` is measured against the previous frame given to this meter.
    public func measure(_ frame: Frame) -> FrameStats {
        var s = gw_stats()
        gw_stats_measure(handle, frame.handle, &s)
        return FrameStats(brightness: s.brightness, contrast: s.contrast, sharpness: s.sharpness,
                          change: s.change, referenceSimilarity: s.has_reference != 0 ? s.reference_similarity : nil)
    }
    /// Keeps this frame as the feed's reference view ('camera moved' compares against it).
    public func setReference(_ frame: Frame) { gw_stats_set_reference(handle, frame.handle); hasReference = true }
    public func clearReference() { gw_stats_clear_reference(handle); hasReference = false }
}
