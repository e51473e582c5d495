import Foundation

/// A small picture of one feed for a console: RGB bytes, row by row, with the size of the
/// camera picture it was made from and the tracks seen on it (normalised boxes).
public struct PreviewPicture: Equatable, Sendable {
    public struct TrackMark: Equatable, Sendable, Codable {
        public var id: Int
        /// Normalised box of the person.
        public var x, y, w, h: Double
        public init(id: Int, x: Double, y: Double, w: Double, h: Double) { self.id = id; self.x = x; self.y = y; self.w = w; self.h = h }
    }
    public var width: Int
    public var height: Int
    /// width × height × 3 bytes, red green blue.
    public var rgb: [UInt8]
    /// The camera picture's size (the detection region is computed in its pixels).
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var timestampMs: Int64
    public var tracks: [TrackMark]
    /// Where the detector looks, in the camera picture's pixels (nil: the whole picture).
    public var region: PixelRect?

    public init(width: Int, height: Int, rgb: [UInt8], sourceWidth: Int, sourceHeight: Int,
                timestampMs: Int64, tracks: [TrackMark] = [], region: PixelRect? = nil) {
        self.width = width; self.height = height; self.rgb = rgb; self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight; self.timestampMs = timestampMs; self.tracks = tracks; self.region = region
    }

    /// The largest preview side (a preview, not the stream: at most 160×90 for 16:9).
    public static let maxWidth = 160, maxHeight = 90

    /// The preview size for a camera picture: the aspect kept, within maxWidth × maxHeight.
    public static func size(forSource w: Int, _ h: Int) -> (Int, Int) {
        guard w > 0, h > 0 else { return (0, 0) }
        let scale = min(1, min(Double(maxWidth) / Double(w), Double(maxHeight) / Double(h)))
        return (max(1, Int((Double(w) * scale).rounded())), max(1, Int((Double(h) * scale).rounded())))
    }
}

/// How the runner hands previews to consoles, only while one looks.
///
/// Why files in a 0700 folder beside the database (not the database, not a socket): the
/// folder's mode keeps pictures to the site's user (the runner's), like the database file's
/// 0600; a file replaced by rename always holds the latest picture whole, so a slow console
/// reads fewer pictures instead of a backlog queuing anywhere; and the runner needs no
/// listening thread: it only checks, at most twice a second per feed, whether a console
/// touched the feed's request file in the last few seconds (`want-FEED`), and writes
/// `FEED.preview` (0600) when one did. A console that leaves stops touching; the previews stop
/// when the request is older than `requestLifetimeMs`.
public struct PreviewChannel: Sendable {
    public let directory: String

    /// How long a console's request keeps previews coming.
    public static let requestLifetimeMs: Int64 = 3000
    /// The runner's pace (about 2 pictures a second).
    public static let intervalMs: Int64 = 500

    public init(directory: String) { self.directory = directory }
    /// `site.sqlite` -> `site.sqlite.preview/`.
    public init(databasePath: String) { directory = databasePath + ".preview" }

    /// A file-name-safe form of a feed id (config ids are free text).
    static func fileName(_ feedId: String) -> String {
        let safe = feedId.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        return safe && !feedId.isEmpty ? feedId : "x" + feedId.utf8.map { String(format: "%02x", $0) }.joined()
    }
    public func requestPath(feedId: String) -> String { directory + "/want-" + Self.fileName(feedId) }
    public func picturePath(feedId: String) -> String { directory + "/" + Self.fileName(feedId) + ".preview" }

    /// The runner: makes the folder (0700, the mode set again if it was wider).
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        guard chmod(directory, 0o700) == 0 else {
            throw ConfigError(file: directory, message: "cannot make the preview folder private (chmod 0700): \(String(cString: strerror(errno))); check the folder's owner")
        }
    }

    /// The runner: whether a console asked for this feed's picture lately (one stat).
    public func isRequested(feedId: String, nowMs: Int64) -> Bool {
        guard let touched = Self.modifiedMs(requestPath(feedId: feedId)) else { return false }
        return nowMs - touched < Self.requestLifetimeMs
    }

    /// The console: asks for (more) pictures of this feed; false when the folder is missing
    /// (no runner, or the runner is another user's).
    @discardableResult
    public func request(feedId: String) -> Bool {
        let path = requestPath(feedId: feedId)
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return futimens(fd, nil) == 0
    }

    /// The runner: writes the picture whole (temporary file, then rename), 0600.
    public func publish(_ p: PreviewPicture, feedId: String) throws {
        let final = picturePath(feedId: feedId)
        let temp = final + ".tmp"
        let data = Self.encode(p)
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigError(file: temp, message: "cannot write the preview: \(String(cString: strerror(errno))); check the preview folder's owner and free space") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count, rename(temp, final) == 0 else {
            unlink(temp)
            throw ConfigError(file: final, message: "cannot write the preview: \(String(cString: strerror(errno))); check the free space")
        }
    }

    /// The console: the latest picture of the feed, nil when there is none, it is not whole, or
    /// it was written more than `maxAgeMs` ago (an earlier run's).
    public func latest(feedId: String, maxAgeMs: Int64? = nil) -> PreviewPicture? {
        let path = picturePath(feedId: feedId)
        if let maxAgeMs {
            guard let written = Self.modifiedMs(path), Int64(Date().timeIntervalSince1970 * 1000) - written <= maxAgeMs else { return nil }
        }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Self.decode(data)
    }

    /// When the file was last written or touched (ms since 1970), nil when it is missing.
    static func modifiedMs(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }

    struct Header: Codable {
        var width, height, sourceWidth, sourceHeight: Int
        var timestampMs: Int64
        var tracks: [PreviewPicture.TrackMark]
        /// x, y, width, height.
        var region: [Int]?
    }

    /// One JSON line (sizes, time, tracks), then the RGB bytes.
    public static func encode(_ p: PreviewPicture) -> Data {
        let h = Header(width: p.width, height: p.height, sourceWidth: p.sourceWidth, sourceHeight: p.sourceHeight,
                       timestampMs: p.timestampMs, tracks: p.tracks,
                       region: p.region.map { [$0.x, $0.y, $0.width, $0.height] })
        var data = (try? JSONEncoder().encode(h)) ?? Data("{}".utf8)
        data.append(0x0A)
        data.append(contentsOf: p.rgb)
        return data
    }

    public static func decode(_ data: Data) -> PreviewPicture? {
        guard let nl = data.firstIndex(of: 0x0A),
              let h = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<nl]),
              h.width > 0, h.height > 0, h.width <= 4 * PreviewPicture.maxWidth, h.height <= 4 * PreviewPicture.maxHeight
        else { return nil }
        let bytes = Array(data[(nl + 1)...])
        guard bytes.count == h.width * h.height * 3 else { return nil }
        return PreviewPicture(width: h.width, height: h.height, rgb: bytes, sourceWidth: h.sourceWidth,
                              sourceHeight: h.sourceHeight, timestampMs: h.timestampMs, tracks: h.tracks,
                              region: h.region.flatMap { $0.count == 4 ? PixelRect(x: $0[0], y: $0[1], width: $0[2], height: $0[3]) : nil })
    }
}
