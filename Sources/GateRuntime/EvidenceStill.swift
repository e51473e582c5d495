import Foundation
import GateCore
import GateVision

/// Where in a feed's source the still is taken.
public enum StillPosition: Equatable, Sendable {
    /// The first frame the source gives (a camera: the picture now).
    case first
    /// This many seconds into a clip or scene (at the source's own frame rate).
    case seconds(Double)
    /// This frame (0-based) of a clip or scene.
    case frame(Int)
}

/// How a still is encoded: PNG at full size (`snapshot`: lossless, to check the pixels), or a
/// smaller JPEG (a report holds one per scenario, embedded in its HTML).
public enum StillEncoding: Equatable, Sendable {
    case png
    case jpeg(maxWidth: Int, quality: Int)
    /// A report's stills: wide enough to read the labels, about 40–80 KB each.
    public static let report = StillEncoding.jpeg(maxWidth: 640, quality: 80)
}

/// One still of a feed as evidence: what the camera sees, people blurred (privacy), the
/// counting lines with their in/out sides, the detection region, as PNG bytes.
public struct StillPicture: Sendable {
    /// The picture at the top, the caption in a band below it, encoded as asked.
    public var encoded: Data
    /// `image/png` or `image/jpeg`.
    public var mimeType: String
    /// The camera's picture (the PNG is taller by its caption band).
    public var width: Int
    public var height: Int
    public var frameIndex: Int
    /// Seconds into the source, when its frame rate is known.
    public var seconds: Double?
    public var privacy: PrivacyOutcome
}

public enum EvidenceStill {
    /// Frames a motion detector sees before the still: it finds people by what moved.
    static let motionWarmUpFrames = 8

    /// Opens the feed's source the way the site does (`makeFeedSource`), reads to `position`,
    /// finds the people on that frame with the feed's own detector (when `privacy` is on),
    /// blurs them, draws the lines and region, and encodes a PNG. Throws one line: the source
    /// cannot be opened or read, or it ends before `position`. Camera URLs in it are masked.
    public static func take(feed: FeedConfig, at position: StillPosition, privacy: Bool, modelPath: String? = nil,
                            encoding: StillEncoding = .png, warn: @escaping (String) -> Void = { _ in }) throws -> StillPicture {
        let still = try blurred(feed: feed, at: position, privacy: privacy, modelPath: modelPath, warn: warn)
        let title = feed.name == feed.id ? feed.id : "\(feed.name) (\(feed.id))"
        var caption = ["\(title): " + (still.seconds.map { String(format: "%.1f s, ", $0) } ?? "") + "frame \(still.frameIndex)"]
        caption += [still.privacy.text(.vi), still.privacy.text(.en)]
        let drawn = FrameOverlay.draw(on: still.frame, lines: feed.lines, region: feed.detectRegion, caption: caption)
        let (bytes, mime) = try encode(drawn, encoding)
        return StillPicture(encoded: bytes, mimeType: mime, width: still.frame.width, height: still.frame.height,
                            frameIndex: still.frameIndex, seconds: still.seconds, privacy: still.privacy)
    }

    /// A feed's picture at `position` with its people blurred (when `privacy` is on), nothing
    /// drawn on it yet: the still's and `setup`'s picture.
    public struct Blurred {
        public var frame: Frame
        public var frameIndex: Int
        public var seconds: Double?
        public var privacy: PrivacyOutcome
    }

    /// Reads the feed's source to `position` and blurs the people on that frame (see `take`).
    public static func blurred(feed: FeedConfig, at position: StillPosition, privacy: Bool, modelPath: String? = nil,
                               warn: @escaping (String) -> Void = { _ in }) throws -> Blurred {
        let source = try makeFeedSource(uri: feed.source, realtime: false, loop: false)
        defer { source.close() }
        let fps = source.nominalFps ?? feed.fps
        let target: Int
        switch position {
        case .first: target = 0
        case .frame(let n): target = max(0, n)
        case .seconds(let s): target = max(0, Int((s * (fps ?? 25)).rounded(.down)))
        }
        let finder = privacy ? PeopleFinder(feed: feed, modelPath: modelPath, warn: warn) : nil
        var frame: Frame?
        var index = 0
        while index <= target {
            guard let next = try source.read() else {
                let seconds = fps.map { String(format: " (%.1f s)", Double(index) / $0) } ?? ""
                throw VisionError("\(source.description) ends after \(index) frames\(seconds), before frame \(target) "
                                  + "that was asked for; ask for an earlier time")
            }
            if index > target - motionWarmUpFrames { finder?.warmUp(next, last: index == target) }
            frame = next
            index += 1
        }
        guard let still = frame?.clone() else { throw VisionError("\(source.description) gave no picture") }
        let outcome = PrivacyFilter.apply(to: still, people: finder?.people(in: still) ?? .detected([]), enabled: privacy)
        return Blurred(frame: still, frameIndex: target, seconds: fps.map { Double(target) / $0 }, privacy: outcome)
    }

    static func encode(_ picture: Frame, _ encoding: StillEncoding) throws -> (Data, String) {
        switch encoding {
        case .png: return (try picture.pngData(), "image/png")
        case .jpeg(let maxWidth, let quality):
            let small = picture.width > maxWidth
                ? picture.resized(width: maxWidth, height: Int((Double(picture.height) * Double(maxWidth) / Double(picture.width)).rounded()))
                : picture
            return (try small.jpegData(quality: quality), "image/jpeg")
        }
    }
}

/// The feed's own detector, for the privacy blur of one still; when it cannot be built, the
/// reason (nothing is blurred, and the caption says so).
private final class PeopleFinder {
    let feed: FeedConfig
    let detector: Result<PersonDetector, VisionError>
    private var lastSeen: PeopleInPicture?

    init(feed: FeedConfig, modelPath: String?, warn: @escaping (String) -> Void) {
        self.feed = feed
        do {
            let d = try makeDetector(kind: feed.detector, confidence: feed.confidence, modelPath: modelPath, warn: warn)
            // People the model is unsure of are blurred too: privacy errs on the side of hiding.
            _ = d.reportWeakDetections(downTo: feed.confidence * 0.5, confidence: feed.confidence)
            detector = .success(d)
        } catch {
            detector = .failure(VisionError((error as? VisionError)?.message ?? "\(error)"))
        }
    }

    /// A motion detector looks at the frames before the still (it needs the picture to move).
    /// Its boxes hold what moved, often less than the whole person: they are grown by a third
    /// on each side.
    func warmUp(_ frame: Frame, last: Bool) {
        guard feed.detector == .motion, case .success(let d) = detector else { return }
        let seen = PrivacyFilter.people(in: frame, detector: d, tiles: [])
        guard last else { return }
        if case .detected(let boxes) = seen {
            lastSeen = .detected(boxes.map {
                Rect(x: $0.x - $0.width / 3, y: $0.y - $0.height / 3, width: $0.width * 5 / 3, height: $0.height * 5 / 3)
            })
        } else {
            lastSeen = seen
        }
    }

    func people(in frame: Frame) -> PeopleInPicture {
        switch detector {
        case .failure(let e): return .notLooked(reason: e.message)
        case .success(let d):
            if let lastSeen { return lastSeen }
            let tiles = feed.detectRegion.pixels(lines: feed.lines, width: frame.width, height: frame.height)?.tiles() ?? []
            return PrivacyFilter.people(in: frame, detector: d, tiles: tiles)
        }
    }
}
