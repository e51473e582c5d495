import Foundation

/// One key of a YAML file GateWatch reads: where it sits, what it holds, its range or
/// default, whether it must be there, and one line on what it does. The tables below drive
/// `YAMLReader` (allowed and required keys, did-you-mean, number ranges) and the key
/// reference printed by `gatewatch check-config --keys` (and kept in the README).
public struct ConfigKey: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case section                       // a mapping of further keys
        case list(of: String)              // a list of mappings (what one entry is)
        case text
        case identifier
        case bool
        case point
        case number(NumericLimit)
        case choice(noun: String, [String])
        case choices(noun: String, [String])   // one value or a list of them
        case source, timeZone, openingHours, timeOfDay, tolerance, expectation, region
    }

    /// Dotted path with `[]` for list entries: `gates[].feeds[].fps`.
    public let path: String
    public let kind: Kind
    public let required: Bool
    /// What applies when the key is left out ("" when nothing needs saying).
    public let defaultText: String
    public let help: String

    public init(_ path: String, _ kind: Kind, required: Bool = false, default defaultText: String = "", _ help: String) {
        self.path = path; self.kind = kind; self.required = required; self.defaultText = defaultText; self.help = help
    }

    /// The key as written in the file (`fps`).
    public var name: String { path.split(separator: ".").last.map(String.init) ?? path }
    /// The section holding it (`gates[].feeds[]`; "" at the top level).
    public var section: String {
        guard let dot = path.lastIndex(of: ".") else { return "" }
        return String(path[..<dot])
    }

    /// What may be written, for the key reference.
    public var typeText: String {
        switch kind {
        case .section: return "mapping"
        case .list(let what): return "list of \(what)"
        case .text: return "text"
        case .identifier: return "id: letters, digits, `-` `_` `.` (at most 64)"
        case .bool: return "true or false"
        case .point: return "[x, y], each 0 to 1"
        case .number(let l): return l.rangeText
        case .choice(_, let values): return "one of " + values.joined(separator: ", ")
        case .choices(_, let values): return "list of " + values.joined(separator: ", ")
        case .source: return "file, rtsp:// or http(s):// URL, /dev/videoN, synthetic:..."
        case .timeZone: return "IANA time zone"
        case .openingHours: return "HH:MM-HH:MM"
        case .timeOfDay: return "HH:MM"
        case .region: return "full, auto, or [x1, y1, x2, y2]"
        case .tolerance: return "whole count (1) or percentage (10%)"
        case .expectation: return "{in: N, out: N, tolerance: T} or truth (synthetic)"
        }
    }

    /// The default shown in the reference: the table's text, else a number's default from `Limits`.
    public var defaultShown: String {
        if !defaultText.isEmpty { return defaultText }
        if case .number(let l) = kind, let d = l.defaultValue { return NumericLimit.format(d) }
        return ""
    }
}

/// The key tables of the site file and of the acceptance scenario file.
public enum ConfigKeys {
    static let detectors = DetectorKind.allCases.map(\.rawValue)
    static let alertKinds = AlertKind.allCases.map(\.rawValue)
    static let coordinate = "normalised 0 to 1, origin top-left"

    /// The keys of a counting line, under `prefix` (`gates[].feeds[].lines[]`, `lines[]`).
    static func lineKeys(_ prefix: String) -> [ConfigKey] {
        [ConfigKey("\(prefix).id", .identifier, required: true, "the line's id, unique in the file"),
         ConfigKey("\(prefix).name", .text, default: "the id", "shown in the console and reports"),
         ConfigKey("\(prefix).from", .point, required: true, "one end of the line (\(coordinate))"),
         ConfigKey("\(prefix).to", .point, required: true, "the other end"),
         ConfigKey("\(prefix).inside", .point, required: true, "a point on the side people enter toward; crossing toward it counts as in")]
    }

    /// Detector settings shared by a site's feeds and a scenario.
    static func detectorKeys(_ prefix: String) -> [ConfigKey] {
        let p = prefix.isEmpty ? "" : prefix + "."
        return [ConfigKey("\(p)realtime", .bool, default: "false", "pace a file at its frame rate, like a live camera"),
                ConfigKey("\(p)detector", .choice(noun: "detector", detectors), default: DetectorKind.defaultKind.rawValue,
                          "person detector: yolox finds small, far people (the default); ssdlite is cheaper a run but misses people under ~70 px; motion for overhead cameras"),
                ConfigKey("\(p)confidence", .number(Limits.confidence), Limits.confidence.hint),
                ConfigKey("\(p)detect_every", .number(Limits.detectEvery), default: "from the frame rate",
                          "run the detector on every Nth frame; \(Limits.detectEvery.hint)"),
                ConfigKey("\(p)cadence", .choice(noun: "cadence", CadenceMode.allCases.map(\.rawValue)), default: "adaptive",
                          "adaptive: full rate while something moves near a line or someone is within reach of one, every 0.5 s while everything is far, none while nothing moves; fixed: every detect_every-th frame"),
                ConfigKey("\(p)on_model_error", .choice(noun: "model error policy", ModelErrorPolicy.allCases.map(\.rawValue)),
                          default: ModelErrorPolicy.fallBack.rawValue,
                          "a person model that is missing or does not load: fall_back = the next model down (yolox → ssdlite → hog) with a warning; stop_feed = this feed stops with the reason, the others go on"),
                ConfigKey("\(p)detect_region", .region, default: "full",
                          "where the detector looks, cut at full resolution: auto = the band around the counting lines (far people stay large enough to find); wide regions are tiled")]
    }

    static func alertKey(_ section: String, _ limit: NumericLimit, _ help: String? = nil) -> ConfigKey {
        ConfigKey("\(section).\(limit.key)", .number(limit), help ?? limit.hint)
    }

    /// Every key of a site file, in the order the reference lists them.
    public static let site: [ConfigKey] = {
        var k: [ConfigKey] = [
            ConfigKey("site", .section, required: true, "the site as a whole"),
            ConfigKey("site.name", .text, required: true, "shown in the console and reports"),
            ConfigKey("site.capacity", .number(Limits.capacity), required: true, Limits.capacity.hint),
            ConfigKey("site.time_zone", .timeZone, default: ConfigLoader.defaultTimeZone, "for daily reports and opening hours"),
            ConfigKey("site.opening_hours", .openingHours, default: "always open", "entries outside these hours raise an alert"),
            ConfigKey("site.occupancy_reset", .timeOfDay, default: "00:00",
                      "site-local time each day when the occupancy starts again from zero; set it after closing, when the site is empty"),
            ConfigKey("gates", .list(of: "gates"), required: true, "at least one gate"),
            ConfigKey("gates[].id", .identifier, required: true, "the gate's id, unique in the file"),
            ConfigKey("gates[].name", .text, default: "the id", "shown in the console and reports"),
            ConfigKey("gates[].feeds", .list(of: "feeds (cameras)"), required: true, "at least one camera"),
            ConfigKey("gates[].feeds[].id", .identifier, required: true, "the feed's id, unique in the file"),
            ConfigKey("gates[].feeds[].name", .text, default: "the id", "shown in the console and reports"),
            ConfigKey("gates[].feeds[].source", .source, required: true, "where the frames come from"),
            ConfigKey("gates[].feeds[].fps", .number(Limits.fps), default: "the source's rate",
                      "expected frame rate (low-fps alert, pacing)"),
            ConfigKey("gates[].feeds[].loop", .bool, default: "false", "start a file again at its end"),
        ]
        k += detectorKeys("gates[].feeds[]")
        k.append(ConfigKey("gates[].feeds[].lines", .list(of: "counting lines"), required: true, "at least one line"))
        k += lineKeys("gates[].feeds[].lines[]")
        k.append(ConfigKey("alerts", .section, default: "defaults below", "when alerts are raised"))
        k += [Limits.capacityWarning, Limits.capacityCritical, Limits.offlineSeconds, Limits.frozenSeconds,
              Limits.lowFpsRatio, Limits.lowFpsSeconds, Limits.tamperSeconds].map { alertKey("alerts", $0) }
        k += [alertKey("alerts", Limits.surgePerMinute, "entries into the whole site in one minute that raise a surge alert"),
              alertKey("alerts", Limits.disagreementShare,
                       "two cameras of one gate disagreeing by more than this share of the larger count raise an alert"),
              alertKey("alerts", Limits.droppedShare,
                       "share of a live feed's frames dropped (over 5 s) that raises the low frame rate alert")]
        k += [ConfigKey("alerts.after_hours_entries", .bool, default: "true", "alert on entries outside opening hours"),
              ConfigKey("alerts.on_alert", .text, default: "none", "command run for each alert, alert JSON on stdin"),
              alertKey("alerts", Limits.onAlertTimeout),
              ConfigKey("retention_days", .number(Limits.retentionDays), default: "keep everything",
                        "days of crossings kept"),
              ConfigKey("privacy", .bool, default: "true",
                        "blur people in every picture GateWatch shows or writes (previews, snapshots, report images); false shows them as the camera does")]
        k += api
        k += webhookKeys
        k += syncKeys
        return k
    }()

    /// The keys of an expectation mapping under `prefix` (`expect`, `lines[].expect`).
    static func expectKeys(_ prefix: String) -> [ConfigKey] {
        [ConfigKey("\(prefix).in", .number(Limits.expectedCount), "people expected to cross inward"),
         ConfigKey("\(prefix).out", .number(Limits.expectedCount), "people expected to cross outward"),
         ConfigKey("\(prefix).tolerance", .tolerance, default: "0 (exact)", "how far the count may be off"),
         ConfigKey("\(prefix).truth", .bool, default: "false", "compare with the synthetic scene's own truth")]
    }

    /// Every key of an acceptance scenario file.
    public static let scenario: [ConfigKey] = {
        var k: [ConfigKey] = [
            ConfigKey("name", .text, default: "the file name", "the scenario's name in the report"),
            ConfigKey("description", .text, "one line for the report"),
            ConfigKey("known_weakness", .text, "why the counts are known to miss today: a miss is reported as KNOWN WEAKNESS "
                      + "(counted against expected) and does not fail the suite; alerts and errors still fail"),
            ConfigKey("source", .source, required: true, "clip (relative to the scenario file), stream or synthetic: scene"),
            ConfigKey("seconds", .number(Limits.scenarioSeconds), default: "to the end of the clip",
                      "\(Limits.scenarioSeconds.hint); required for a stream"),
        ]
        k += detectorKeys("")
        k.append(ConfigKey("lines", .list(of: "counting lines"), "lines to count on, each with its expect:"))
        k += lineKeys("lines[]")
        k.append(ConfigKey("lines[].expect", .expectation, "what the line must count"))
        k += expectKeys("lines[].expect")
        k.append(ConfigKey("expect", .expectation, "without lines: what a synthetic scene's own line must count"))
        k += expectKeys("expect")
        k += [ConfigKey("speed", .section, "one of min_fps or realtime_feeds"),
              ConfigKey("speed.min_fps", .number(Limits.minFps), "frames processed per second, at least"),
              ConfigKey("speed.realtime_feeds", .number(Limits.realtimeFeeds), "copies of the source held in real time"),
              ConfigKey("alerts", .section, "alerts the run must or must not raise, and their settings"),
              ConfigKey("alerts.must_raise", .choices(noun: "alert kind", alertKinds), "alerts that must be raised"),
              ConfigKey("alerts.must_not_raise", .choices(noun: "alert kind", alertKinds), "alerts that must not be raised")]
        k += [Limits.offlineSeconds, Limits.frozenSeconds, Limits.tamperSeconds, Limits.lowFpsRatio,
              Limits.lowFpsSeconds].map { alertKey("alerts", $0) }
        return k
    }()

    /// The keys directly under `section` of a table.
    public static func children(of section: String, in table: [ConfigKey]) -> [ConfigKey] {
        table.filter { $0.section == section }
    }

    /// The key reference as a Markdown table (what `check-config --keys` prints).
    public static func markdown(_ table: [ConfigKey]) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "| key | value | default | what it does |\n| --- | --- | --- | --- |\n"
        for k in table {
            let def = k.required ? "required" : k.defaultShown
            out += "| `\(cell(k.path))` | \(cell(k.typeText)) | \(cell(def)) | \(cell(k.help)) |\n"
        }
        return out
    }
}
