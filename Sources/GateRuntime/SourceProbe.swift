import Foundation
import GateCore
import GateVision

/// `gatewatch setup`'s first step: opens a camera, stream, clip or scene the way the site will
/// (`makeFeedSource`) and measures it (`ProbeMeasurement`); what it means is `ProbeVerdict`'s.
public enum SourceProbe {
    /// Opens `uri`, times the first picture, then reads for `seconds` (live sources at their
    /// own pace, clips as fast as they decode, stopping at their end). Throws one line saying
    /// what to check (`ProbeVerdict.failure`), the password masked.
    public static func measure(uri: String, seconds: Double) throws -> ProbeMeasurement {
        // Files, scenes and URLs checked as check-config does first: their lines say what is wrong best.
        if let problem = SourceCheck.problem(uri) { throw VisionError(ProbeVerdict.failure(problem, uri: uri)) }
        let started = Date()
        let source: FrameSource
        let first: Frame
        do {
            source = try makeFeedSource(uri: uri, realtime: false, loop: false)
            guard let f = try source.read() else { throw VisionError("no frames: the source opened but gave no picture") }
            first = f
        } catch {
            throw VisionError(ProbeVerdict.failure((error as? VisionError)?.message ?? "\(error)", uri: uri))
        }
        defer { source.close() }
        let firstFrameMs = Date().timeIntervalSince(started) * 1000
        let reading = Date()
        var frames = 0
        do {
            while Date().timeIntervalSince(reading) < seconds, try source.read() != nil { frames += 1 }
        } catch {
            // A live source that stops after its first picture: measured as delivering nothing more.
            if !source.isLive { throw VisionError(ProbeVerdict.failure((error as? VisionError)?.message ?? "\(error)", uri: uri)) }
        }
        return ProbeMeasurement(codec: (source as? CaptureSource)?.codec, width: first.width, height: first.height,
                                declaredFps: source.nominalFps, firstFrameMs: firstFrameMs, frames: frames,
                                seconds: Date().timeIntervalSince(reading), live: source.isLive)
    }
}
