import Foundation
import GateCore
import GateVision

/// The runner's side of the preview channel: on a feed's processing thread, at most every
/// `PreviewChannel.intervalMs` it checks (one stat) whether a console asked for the feed lately
/// and, only then, shrinks the frame to a preview and writes it. With no console looking the
/// cost is that stat twice a second per feed.
public final class PreviewPublisher: @unchecked Sendable {
    public let channel: PreviewChannel
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    /// Per feed: when it last checked or wrote (monotonic ms).
    private var lastCheck: [String: Int64] = [:]
    private var failed = false
    /// Each feed's detection region setting (drawn on the preview).
    private let regions: [String: DetectionRegion]
    /// The site's `privacy`: people blurred in every preview (see `PrivacyFilter`).
    private let privacy: Bool

    /// Makes the private folder; nil (said once in the log) when it cannot.
    public init?(databasePath: String, regions: [String: DetectionRegion], privacy: Bool,
                 log: @escaping @Sendable (String) -> Void) {
        channel = PreviewChannel(databasePath: databasePath)
        self.regions = regions
        self.privacy = privacy
        self.log = log
        do { try channel.prepare() } catch {
            log("no previews for consoles: \(error)")
            return nil
        }
    }

    /// The feed's processed frame; processing thread.
    public func offer(feedId: String, _ p: ProcessedFrame) {
        let now = Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000)
        lock.lock()
        let due = now - (lastCheck[feedId] ?? .min / 2) >= PreviewChannel.intervalMs
        if due { lastCheck[feedId] = now }
        lock.unlock()
        guard due, channel.isRequested(feedId: feedId, nowMs: Int64(Date().timeIntervalSince1970 * 1000)) else { return }
        guard let picture = Self.preview(p, region: regions[feedId] ?? .full, privacy: privacy) else { return }
        do { try channel.publish(picture, feedId: feedId) } catch {
            lock.lock(); let first = !failed; failed = true; lock.unlock()
            if first { log("preview of feed \(feedId): \(error)") }
        }
    }

    /// The frame shrunk to at most PreviewPicture.maxWidth × maxHeight, as RGB, with its tracks;
    /// with `privacy`, people blurred first (on a copy: the pipeline still uses the frame).
    static func preview(_ p: ProcessedFrame, region: DetectionRegion, privacy: Bool) -> PreviewPicture? {
        let frame = privacy ? p.frame.clone() : p.frame
        if privacy { PrivacyFilter.apply(to: frame, people: PrivacyFilter.people(in: p), enabled: true) }
        let (w, h) = PreviewPicture.size(forSource: frame.width, frame.height)
        guard let rgb = frame.rgb(width: w, height: h) else { return nil }
        let tracks = p.tracks.filter(\.confirmed).map {
            PreviewPicture.TrackMark(id: $0.id, x: $0.box.x, y: $0.box.y, w: $0.box.width, h: $0.box.height)
        }
        return PreviewPicture(width: w, height: h, rgb: rgb, sourceWidth: frame.width, sourceHeight: frame.height,
                              timestampMs: frame.timestampMs, tracks: tracks,
                              region: region.pixels(lines: p.lines, width: frame.width, height: frame.height))
    }
}
