/// The model of one site's YAML configuration (see samples/demo-site.yaml).
/// Parsing and validation live in ConfigLoader; this file is the shape only.
public struct SiteConfig: Equatable, Sendable {
    public var site: SiteInfo
    public var gates: [GateConfig]
    public var alerts: AlertSettings
    /// Days of crossings and history to keep; nil keeps everything.
    public var retentionDays: Int?
    /// Blur people in every picture the program shows or writes (previews, snapshots, report
    /// images); on unless the site file says `privacy: false`.
    public var privacy: Bool
    /// The site HTTP API served by `gatewatch run` itself (`api:`); nil serves none.
    public var api: APISettings? = nil
    /// Receivers of the site's events (`webhooks:`); empty sends nothing.
    public var webhooks: [WebhookEndpoint] = []
    /// Where the site syncs to the province hub (`sync:`), nil: it does not.
    public var sync: SyncSettings? = nil

    public init(site: SiteInfo, gates: [GateConfig], alerts: AlertSettings = AlertSettings(), retentionDays: Int? = nil,
                privacy: Bool = true) {
        self.site = site; self.gates = gates; self.alerts = alerts; self.retentionDays = retentionDays
        self.privacy = privacy
    }

    public var feeds: [FeedConfig] { gates.flatMap(\.feeds) }
    public func gate(ofFeed feedId: String) -> GateConfig? {
        gates.first { $0.feeds.contains { $0.id == feedId } }
    }
}

public struct SiteInfo: Equatable, Sendable {
    public var name: String
    public var capacity: Int
    /// IANA time zone name; display and daily rollups only (storage is UTC).
    public var timeZone: String
    public var openingHours: OpeningHours?
    /// When the occupancy starts again from zero each day (midnight unless set).
    public var occupancyReset: OccupancyReset
    public init(name: String, capacity: Int, timeZone: String = defaultSiteTimeZone, openingHours: OpeningHours? = nil,
                occupancyReset: OccupancyReset = .midnight) {
        self.name = name; self.capacity = capacity; self.timeZone = timeZone; self.openingHours = openingHours
        self.occupancyReset = occupancyReset
    }
}

/// Daily opening window in site-local time, minutes after midnight. `close`
/// may be less than `open` for windows that pass midnight.
public struct OpeningHours: Equatable, Sendable {
    public var openMinute: Int
    public var closeMinute: Int
    public init(openMinute: Int, closeMinute: Int) { self.openMinute = openMinute; self.closeMinute = closeMinute }
    public func contains(minuteOfDay m: Int) -> Bool {
        openMinute <= closeMinute ? (m >= openMinute && m < closeMinute) : (m >= openMinute || m < closeMinute)
    }
}

public struct GateConfig: Equatable, Sendable {
    public var id: String
    public var name: String
    public var feeds: [FeedConfig]
    public init(id: String, name: String, feeds: [FeedConfig]) { self.id = id; self.name = name; self.feeds = feeds }
}

public enum DetectorKind: String, Equatable, Sendable, CaseIterable, Codable {
    /// yolox: YOLOX-Nano, finds smaller (far) people than ssdlite at a higher cost a run.
    case ssdlite, yolox, hog, motion

    /// YOLOX-Nano: on three hand-annotated lines of real footage (vtest.avi: the road, the
    /// junction, the far branch road) it is the only model within 10 % per direction on all
    /// three (SSDLite: 11 % short on the junction, half on the far line), and it is exact on
    /// the synthetic panels; it costs 1.2-1.6x SSDLite a run. `ssdlite` is the cheaper choice
    /// for a box short of CPU where people near the lines are over ~80 px tall.
    public static let defaultKind = DetectorKind.yolox
}

public struct FeedConfig: Equatable, Sendable {
    public var id: String
    public var name: String
    /// A file path, rtsp:// or http(s):// URL, /dev/videoN, or `synthetic:...`.
    public var source: String
    /// Expected frame rate of the source (for pacing files and the low-fps rule).
    public var fps: Double?
    /// Play a file at its own frame rate, as a stand-in for a live camera.
    public var realtime: Bool
    /// Start a file again when it ends.
    public var loop: Bool
    public var detector: DetectorKind
    /// Minimum detector score for a person.
    public var confidence: Double
    /// Run the detector on every Nth frame (1 = every frame); nil = choose from the source's rate.
    public var detectEvery: Int?
    /// Where the detector looks (`detect_region`).
    public var detectRegion: DetectionRegion = .full
    /// How often the detector runs (`cadence`): adaptive to the scene, or every `detectEvery`-th frame.
    public var cadence: CadenceMode = .adaptive
    /// When the person model is missing or damaged (`on_model_error`).
    public var onModelError: ModelErrorPolicy = .fallBack
    public var lines: [LineConfig]
    /// Where `source` is written in the config (`site.yaml:14:17`), for messages about it.
    public var sourcePosition: String?
    public init(id: String, name: String, source: String, fps: Double? = nil, realtime: Bool = false,
                loop: Bool = false, detector: DetectorKind = .defaultKind, confidence: Double = 0.4,
                detectEvery: Int? = nil, lines: [LineConfig]) {
        self.id = id; self.name = name; self.source = source; self.fps = fps; self.realtime = realtime
        self.loop = loop; self.detector = detector; self.confidence = confidence
        self.detectEvery = detectEvery; self.lines = lines
    }
}

/// A directed counting segment from `from` to `to`; crossing toward the side
/// that holds `inside` counts as **in**.
public struct LineConfig: Equatable, Sendable, Codable {
    public var id: String
    public var name: String
    public var from: Point
    public var to: Point
    public var inside: Point
    public init(id: String, name: String, from: Point, to: Point, inside: Point) {
        self.id = id; self.name = name; self.from = from; self.to = to; self.inside = inside
    }
}

/// Alert thresholds, all with defaults so a config may omit the section.
public struct AlertSettings: Equatable, Sendable {
    public var capacityWarning: Double = 0.8        // share of capacity
    public var capacityCritical: Double = 1.0
    public var offlineSeconds: Double = 20
    public var frozenSeconds: Double = 10
    public var lowFpsRatio: Double = 0.5            // of the expected rate
    public var lowFpsSeconds: Double = 30
    /// Share of captured frames dropped (processing behind the camera) at or above which a
    /// live feed is degraded: the low-fps alert, and tamper rules hold (starved pipeline).
    public var droppedShare: Double = 0.1
    public var tamperSeconds: Double = 5            // covered lens / moved camera must persist this long
    public var surgePerMinute: Int = 60             // entries per minute, per site
    public var disagreementShare: Double = 0.25     // two feeds of one gate, share of the larger count
    public var afterHoursEntries: Bool = true
    public var onAlert: String? = nil               // shell command, alert JSON on stdin
    public var onAlertTimeoutSeconds: Double = 10
    public init() {}
}
