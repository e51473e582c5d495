import Foundation
import GateCore

/// The console's side of the preview channel: while the Gate screen shows a feed it touches
/// the feed's request about once a second and reads the latest picture at most every
/// `intervalMs`. The interval grows when drawing a frame is slow (a throttled terminal), so a
/// slow console reads fewer pictures and nothing queues. Leaving the screen stops the requests;
/// the runner stops within `PreviewChannel.requestLifetimeMs`.
struct PreviewFollower {
    let channel: PreviewChannel
    private(set) var picture: PreviewPicture?
    /// False when the channel's folder is missing (no runner here, or another user's).
    private(set) var channelFound = true
    private var feedId: String?
    private var lastRequestMs: Int64 = 0
    private var lastReadMs: Int64 = 0
    private(set) var intervalMs: Int64 = PreviewChannel.intervalMs
    /// A picture older than this is an earlier run's, not shown.
    static let maxAgeMs: Int64 = 10_000

    init(channel: PreviewChannel) { self.channel = channel }

    /// Follows `feed` (nil: none shown); true when the picture changed.
    mutating func follow(_ feed: String?, now: Int64) -> Bool {
        guard let feed else {
            defer { picture = nil; feedId = nil }
            return picture != nil
        }
        var changed = false
        if feed != feedId { feedId = feed; picture = nil; lastRequestMs = 0; lastReadMs = 0; changed = true }
        if now - lastRequestMs >= 1000 {
            lastRequestMs = now
            channelFound = channel.request(feedId: feed)
        }
        guard now - lastReadMs >= intervalMs else { return changed }
        lastReadMs = now
        let p = channel.latest(feedId: feed, maxAgeMs: Self.maxAgeMs)
        if p?.timestampMs != picture?.timestampMs || (p == nil) != (picture == nil) { picture = p; changed = true }
        return changed
    }

    /// After a frame was drawn: read pictures no faster than a few times the draw time.
    mutating func drew(tookMs: Int64) {
        intervalMs = min(5000, max(PreviewChannel.intervalMs, tookMs * 4))
    }
}
