import Foundation

/// The accepted range of one number the program takes in: a site-file key, a command-line
/// flag, or a value read back from a database. Every range lives in `Limits` below, so the
/// config loader, the flags and the readers check (and describe) a number the same way,
/// and arithmetic downstream can rely on finite values of sane size (no trap converting
/// `frozen_seconds: 1e19` to Int, no overflow from `retention_days: 9223372036854775807`).
public struct NumericLimit: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case whole, real }

    /// The key or flag as the user writes it (`frozen_seconds`, `--threads`).
    public let key: String
    public let kind: Kind
    public let min: Double
    public let max: Double
    /// The minimum itself is not allowed (durations and rates: greater than 0).
    public let minExclusive: Bool
    /// What the program uses when the value is absent (nil: absent means "none" or "automatic").
    public let defaultValue: Double?
    /// Unit shown after the range ("seconds", "people"); empty for plain shares.
    public let unit: String
    /// What the number means or a good value, said after the range in errors.
    public let hint: String

    public init(_ key: String, _ kind: Kind, min: Double, max: Double, minExclusive: Bool = false,
                defaultValue: Double? = nil, unit: String = "", hint: String = "") {
        self.key = key; self.kind = kind; self.min = min; self.max = max; self.minExclusive = minExclusive
        self.defaultValue = defaultValue; self.unit = unit; self.hint = hint
    }

    /// "between 1 and 100", "greater than 0 and at most 86400 seconds".
    public var rangeText: String {
        let lo = NumericLimit.format(min), hi = NumericLimit.format(max)
        let range = minExclusive ? "greater than \(lo) and at most \(hi)" : "between \(lo) and \(hi)"
        return (kind == .whole ? "a whole number " : "a number ") + range + (unit.isEmpty ? "" : " \(unit)")
    }

    public func contains(_ v: Double) -> Bool {
        v.isFinite && (minExclusive ? v > min : v >= min) && v <= max && (kind == .real || v == v.rounded())
    }

    /// Why `v` is not accepted, or nil when it is: "must be ... (got X); hint".
    public func problem(_ v: Double) -> String? {
        contains(v) ? nil : "must be \(rangeText) (got \(NumericLimit.format(v)))" + (hint.isEmpty ? "" : "; \(hint)")
    }

    /// Parses a number as written in a file or on the command line ('_' separators allowed)
    /// and checks the range. NaN, infinities, hex and text are refused with the same words.
    public func parse(_ text: String) -> Result<Double, NumericLimitError> {
        guard let v = NumericLimit.decimal(text) else {
            return .failure(NumericLimitError(message: "must be \(rangeText) (got '\(TextSafety.echo(text, limit: 40))')"
                                              + (hint.isEmpty ? "" : "; \(hint)")))
        }
        if let p = problem(v) { return .failure(NumericLimitError(message: p)) }
        return .success(v)
    }

    /// A number in plain decimal notation ('_' separators allowed), or nil:
    /// Double("nan"), Double("inf") and hex floats would otherwise slip through.
    public static func decimal(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        let allowed = CharacterSet(charactersIn: "0123456789+-.eE")
        guard !t.isEmpty, t.unicodeScalars.allSatisfy({ allowed.contains($0) }), let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// The value pulled into range: for numbers read back from a database (a bad or
    /// hand-edited row must not crash `status` or the console). NaN becomes the default.
    public func clamp(_ v: Double) -> Double {
        guard !v.isNaN else { return defaultValue ?? min }
        return Swift.min(max, Swift.max(min, v))
    }

    /// `clamp` for whole numbers; never traps.
    public func clamp(_ v: Int) -> Int {
        Swift.min(Int(max), Swift.max(Int(min), v))
    }

    /// A whole number within range as Int (call after `parse` or `problem` accepted it).
    public func wholeValue(_ v: Double) -> Int { NumericLimit.clampedInt(clamp(v)) }

    /// Any Double as Int without trapping: NaN is 0, out-of-range values stop at Int's ends.
    public static func clampedInt(_ v: Double) -> Int {
        guard !v.isNaN else { return 0 }
        if v >= 9.2e18 { return Int.max }
        if v <= -9.2e18 { return Int.min }
        return Int(v)
    }

    /// Short number text: whole numbers without ".0", huge ones in exponent form.
    public static func format(_ v: Double) -> String {
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

public struct NumericLimitError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Every numeric setting and flag, with its one range.
public enum Limits {
    static let day = 86_400.0

    // Site file: site and retention.
    public static let capacity = NumericLimit("capacity", .whole, min: 1, max: 10_000_000, unit: "people",
                                              hint: "the most people the site may hold at once")
    public static let retentionDays = NumericLimit("retention_days", .whole, min: 1, max: 36_500, unit: "days",
                                                   hint: "leave it out to keep everything")
    // Site file: feeds.
    public static let fps = NumericLimit("fps", .real, min: 0, max: 1000, minExclusive: true,
                                         unit: "frames per second", hint: "the frame rate of the source, e.g. 15")
    public static let confidence = NumericLimit("confidence", .real, min: 0, max: 1, minExclusive: true, defaultValue: 0.4,
                                                hint: "the lowest detector score taken as a person; 0.4 is a good start")
    public static let detectEvery = NumericLimit("detect_every", .whole, min: 1, max: 100,
                                                 hint: "1 runs the detector on every frame")
    // Site file: alerts.
    public static let capacityWarning = NumericLimit("capacity_warning", .real, min: 0, max: 10, minExclusive: true,
                                                     defaultValue: 0.8, hint: "a share of capacity, 0.8 = 80%")
    public static let capacityCritical = NumericLimit("capacity_critical", .real, min: 0, max: 10, minExclusive: true,
                                                      defaultValue: 1.0, hint: "a share of capacity, 1.0 = 100%")
    public static let offlineSeconds = seconds("offline_seconds", 20, "seconds without a frame before a feed is offline")
    public static let frozenSeconds = seconds("frozen_seconds", 10, "identical frames for this long raise 'frozen'")
    public static let lowFpsRatio = NumericLimit("low_fps_ratio", .real, min: 0, max: 1, minExclusive: true, defaultValue: 0.5,
                                                 hint: "a share of the expected frame rate")
    public static let lowFpsSeconds = seconds("low_fps_seconds", 30, "how long the rate must stay low")
    public static let tamperSeconds = seconds("tamper_seconds", 5, "how long a covered lens or moved camera must last")
    public static let surgePerMinute = NumericLimit("surge_per_minute", .whole, min: 1, max: 1_000_000, defaultValue: 60,
                                                    unit: "entries per minute", hint: "for the whole site")
    public static let disagreementShare = NumericLimit("disagreement_share", .real, min: 0, max: 1, minExclusive: true,
                                                       defaultValue: 0.25, hint: "a share of the larger count")
    public static let droppedShare = NumericLimit("dropped_share", .real, min: 0, max: 1, minExclusive: true,
                                                  defaultValue: 0.1, hint: "a share of the frames a live camera sends")
    public static let onAlertTimeout = NumericLimit("on_alert_timeout", .real, min: 0, max: 3600, minExclusive: true,
                                                    defaultValue: 10, unit: "seconds", hint: "how long on_alert may run")

    // Command-line flags that have no site-file twin.
    public static let threads = NumericLimit("--threads", .whole, min: 1, max: 256,
                                             hint: "OpenCV worker threads; leave it out for OpenCV's choice")
    public static let staleSeconds = NumericLimit("--stale-seconds", .real, min: 0, max: day, minExclusive: true,
                                                  defaultValue: 30, unit: "seconds", hint: "heartbeat age before the pipeline counts as not responding")
    public static let benchMaxFeeds = NumericLimit("--max-feeds", .whole, min: 1, max: 64, defaultValue: 8)
    public static let benchSeconds = NumericLimit("--seconds", .real, min: 2, max: 600, defaultValue: 10, unit: "seconds")
    public static let setupSeconds = NumericLimit("--seconds", .real, min: 1, max: 3600, defaultValue: 10, unit: "seconds",
                                                  hint: "how long setup's trial count runs")
    public static let snapshotSeconds = NumericLimit("--at", .real, min: 0, max: day, unit: "seconds",
                                                     hint: "how far into a clip or scene the still is taken")
    public static let demoSeconds = NumericLimit("--seconds", .real, min: 0, max: 365 * day, minExclusive: true,
                                                 unit: "seconds", hint: "leave it out to run until quit")

    // Acceptance scenarios (samples/acceptance): how long to watch, and the speed asked for.
    public static let scenarioSeconds = NumericLimit("seconds", .real, min: 0, max: 3600, minExclusive: true,
                                                     unit: "seconds", hint: "how long to watch the source")
    public static let minFps = NumericLimit("min_fps", .real, min: 0, max: 1000, minExclusive: true,
                                            unit: "frames per second")
    /// Copies of the source a scenario asks the machine to hold in real time (as many as `bench` tries).
    public static let realtimeFeeds = NumericLimit("realtime_feeds", .whole, min: 1, max: benchMaxFeeds.max)

    // Acceptance scenarios: people expected to cross a line (expect: {in: N, out: N}).
    public static let expectedCount = NumericLimit("in", .whole, min: 0, max: 10_000_000, unit: "people")

    // Points of a counting line (site file, scenario, --line/--inside).
    public static let coordinateHint = "coordinates are shares of the frame, origin top-left"

    /// One coordinate named `name` (x, y, x2...), with the same words wherever it is written.
    public static func coordinate(_ text: String, name: String) -> Result<Double, NumericLimitError> {
        guard let v = NumericLimit.decimal(text) else {
            return .failure(NumericLimitError(message: "\(name) must be a number between 0 and 1 (got '\(TextSafety.echo(text, limit: 40))'); \(coordinateHint)"))
        }
        guard v >= 0 && v <= 1 else {
            return .failure(NumericLimitError(message: "\(name) must be between 0 and 1 (got \(NumericLimit.format(v))); \(coordinateHint)"))
        }
        return .success(v)
    }

    // synthetic: scene specs (and the synth command's flags, which build one).
    public static let scenePeople = NumericLimit("people", .whole, min: 1, max: 500)
    public static let sceneFrames = NumericLimit("frames", .whole, min: 1, max: 10_000_000)
    public static let sceneFps = NumericLimit("fps", .real, min: 1, max: 120)
    public static let sceneWidth = NumericLimit("width", .whole, min: 160, max: 3840)
    public static let sceneHeight = NumericLimit("height", .whole, min: 120, max: 2160)
    public static let sceneNoise = NumericLimit("noise", .real, min: 0, max: 50)
    public static let sceneTamperFrame = NumericLimit("frame", .whole, min: 0, max: 10_000_000)

    // report --from/--to: years a GateWatch database can hold, and how many days one report spans.
    public static let reportYear = NumericLimit("year", .whole, min: 2000, max: 2100,
                                                hint: "give dates as YYYY-MM-DD, e.g. 2026-11-23")
    public static let reportDaysByDay = NumericLimit("days", .whole, min: 1, max: 3660, unit: "days",
                                                     hint: "a daily report covers at most 10 years; split it")
    public static let reportDaysByHour = NumericLimit("days", .whole, min: 1, max: 366, unit: "days",
                                                      hint: "an hourly report covers at most a year; use --by day for more")
    public static let reportDaysByQuarterHour = NumericLimit("days", .whole, min: 1, max: 31, unit: "days",
                                                             hint: "a report by 15 minutes covers at most 31 days; use --by hour for more")

    /// Every site-file number (the fuzz test walks this list).
    public static let siteFile: [NumericLimit] = [
        capacity, retentionDays, fps, confidence, detectEvery, capacityWarning, capacityCritical, offlineSeconds,
        frozenSeconds, lowFpsRatio, lowFpsSeconds, tamperSeconds, surgePerMinute, disagreementShare, droppedShare,
        onAlertTimeout, webhookMaxAttempts, webhookTimeout, syncLagAlert, syncBatch,
    ]

    /// Durations of alert rules: more than 0, at most a day (a longer "hold" disables nothing
    /// useful and only risks overflow downstream).
    private static func seconds(_ key: String, _ def: Double, _ hint: String) -> NumericLimit {
        NumericLimit(key, .real, min: 0, max: day, minExclusive: true, defaultValue: def, unit: "seconds", hint: hint)
    }
}
