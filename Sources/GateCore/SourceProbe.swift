import Foundation

/// What `gatewatch setup` measured of a camera or clip before placing a line: what the source
/// declares and what it delivered over a few seconds of reading.
public struct ProbeMeasurement: Equatable, Sendable {
    /// The codec's four-character code as declared ("H264", upper case); nil when the source says none (a scene).
    public var codec: String?
    public var width: Int
    public var height: Int
    /// The frame rate the source declares; nil when it says none.
    public var declaredFps: Double?
    /// From asking for the source to holding its first picture.
    public var firstFrameMs: Double
    /// Frames read in `seconds` of reading after the first.
    public var frames: Int
    public var seconds: Double
    /// A camera or stream (frames arrive in real time) rather than a clip or scene (read as fast as it decodes).
    public var live: Bool

    public init(codec: String?, width: Int, height: Int, declaredFps: Double?, firstFrameMs: Double,
                frames: Int, seconds: Double, live: Bool) {
        self.codec = codec?.uppercased(); self.width = width; self.height = height; self.declaredFps = declaredFps
        self.firstFrameMs = firstFrameMs; self.frames = frames; self.seconds = seconds; self.live = live
    }

    /// Frames a second delivered (live) or decoded (a clip) while measured.
    public var deliveredFps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
}

/// The probe's verdicts, pure: what a measurement or an opening failure means, as one line
/// each that says what to check. Camera passwords never appear (`redactedURL`).
public enum ProbeVerdict {
    /// A live source delivering less than this share of its declared rate drops frames.
    public static let liveShare = 0.8
    /// A clip decoding slower than this share of its own rate cannot keep up with a live camera of its kind.
    public static let decodeShare = 1.0
    /// A first picture later than this is slow (a camera far away, an overloaded box).
    public static let slowFirstFrameMs = 5000.0

    /// The problems of a measurement; empty when the source is fit to count.
    public static func problems(_ m: ProbeMeasurement) -> [String] {
        let fps = { (v: Double) in String(format: "%.1f", v) }
        guard m.frames > 0 else {
            return [m.live
                ? "no frames after the first in \(fps(m.seconds)) s: check the camera is streaming (its own web page shows a moving picture) and the stream path"
                : "the source holds a single picture: give a video, not a still"]
        }
        var out: [String] = []
        if let declared = m.declaredFps, declared > 0 {
            if m.live, m.deliveredFps < declared * liveShare {
                out.append("drops frames: \(fps(m.deliveredFps)) of the \(fps(declared)) fps it declares arrived in \(fps(m.seconds)) s; "
                           + "check the network (cable rather than Wi-Fi) or lower the camera's frame rate or resolution (a sub-stream)")
            } else if !m.live, m.deliveredFps < declared * decodeShare {
                out.append("too slow for real time: this box decodes \(fps(m.deliveredFps)) fps of a \(fps(declared)) fps video; "
                           + "lower the camera's resolution or frame rate (a sub-stream) or use a stronger box")
            }
        }
        if m.firstFrameMs > slowFirstFrameMs {
            out.append(String(format: "slow to start: the first picture came after %.1f s; check the network to the camera", m.firstFrameMs / 1000))
        }
        return out
    }

    /// An opening or reading failure as one line saying what to check, the source's password masked.
    public static func failure(_ message: String, uri: String) -> String {
        let shown = redactedURL(uri)
        let text = message.replacingOccurrences(of: uri, with: shown)
        let lower = text.lowercased()
        func has(_ words: [String]) -> Bool { words.contains { lower.contains($0) } }
        if has(["401", "unauthorized", "authorization failed", "403", "forbidden"]) {
            return "wrong user name or password for \(shown): check the user:password@ part of the URL against the camera's accounts"
        }
        if has(["404", "not found"]) && lower.contains("://") && !lower.hasPrefix("video file not found") {
            return "the camera answers but has no stream at \(shown): check the path after the address (the camera's manual gives it)"
        }
        let reach = "cannot reach \(hostAndPort(uri)): check the address and port (RTSP is usually 554), that the camera is on, "
            + "and that this box is on its network (ping it)"
        if has(["connection refused", "no route to host", "network is unreachable", "timed out", "timeout",
                "name or service not known", "host is unreachable"]) && lower.contains("://") {
            return reach
        }
        if has(["codec", "decoder", "unsupported", "invalid data", "cannot decode video file"]) {
            return "unsupported codec or not a video (\(text)): set the camera's stream to H.264 or MJPEG, or convert the clip"
        }
        // The stream opener's own line when FFmpeg gave no reason: nothing came back at all.
        if lower.hasPrefix("stream does not answer") { return reach }
        return text
    }

    /// `host:port` of a URL (no user, no password, no path), for a line about reaching it.
    static func hostAndPort(_ uri: String) -> String {
        guard let schemeEnd = uri.range(of: "://") else { return redactedURL(uri) }
        var rest = Substring(uri[schemeEnd.upperBound...])
        if let at = userinfoEnd(rest) { rest = rest[rest.index(after: at)...] }
        return String(rest.prefix { !"/?#".contains($0) })
    }
}
