import XCTest
@testable import GateCore

/// Every numeric key of the site file, fed with hostile values (huge, negative, NaN,
/// infinities, 0, text) and seeded random ones: the loader either accepts a value inside the
/// key's one range or throws one clear line naming the key and its position; a config it
/// accepts then drives the alert engine (frozen picture, feed offline, full site) without a trap.
final class NumericLimitsTests: XCTestCase {
    /// Where each key sits in the template below.
    enum Place { case site, top, feed, alerts, webhook }
    static let places: [String: Place] = [
        "capacity": .site, "retention_days": .top, "fps": .feed, "confidence": .feed, "detect_every": .feed,
        "max_attempts": .webhook, "timeout": .webhook,
    ]

    static func yaml(key: String, value: String) -> String {
        let place = places[key] ?? .alerts
        return """
        site:
          name: Fuzz
          capacity: \(place == .site ? value : "100")
        gates:
          - id: g1
            feeds:
              - id: f1
                source: synthetic:kind=pairs
        \(place == .feed ? "        \(key): \(value)\n" : "")        lines:
                  - {id: l1, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}
        \(place == .alerts ? "alerts:\n  \(key): \(value)\n" : "")\(place == .top ? "\(key): \(value)\n" : "")\(place == .webhook ? webhook(key, value) : "")
        """
    }

    static func webhook(_ key: String, _ value: String) -> String {
        "webhooks:\n  - {id: w1, url: 'http://127.0.0.1:9/h', events: [alerts], secret: 0123456789abcdef, \(key): \(value)}\n"
    }

    static let hostile = ["0", "-0", "-1", "1", "0.5", "1.5", "7", "1e19", "-1e19", "1e300", "-1e300", "1e400", "1e-300",
                          "9223372036854775807", "9223372036854775808", "-9223372036854775808", "106751991168",
                          "18446744073709551616", "nan", ".nan", "NaN", "inf", ".inf", "-.inf", "infinity", "0x10",
                          "1_000", "abc", "'5'", "[1, 2]", "{a: 1}", "~", "1e", "--1", "86400", "86401", "36500", "36501",
                          "10000000", "10000001", "1000", "1000.5", "100", "101"]

    /// Seeded random numbers across many magnitudes, both signs, whole and fractional.
    static func randomValues(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in
            let mantissa = Double(next() % 10_000) / 1000
            let exponent = Int(next() % 50) - 20
            let sign = next() % 4 == 0 ? "-" : ""
            let v = mantissa * pow(10, Double(exponent))
            return next() % 2 == 0 ? "\(sign)\(Int(min(v, 9e18)))" : "\(sign)\(v)"
        }
    }

    func testEveryNumericSettingAcceptsOnlyItsRangeAndNeverTraps() throws {
        let start = Date()
        var accepted = 0, rejected = 0
        for limit in Limits.siteFile {
            for value in Self.hostile + Self.randomValues(count: 60, seed: UInt64(limit.key.count)) {
                let text = Self.yaml(key: limit.key, value: value)
                do {
                    let config = try ConfigLoader.parse(yaml: text, file: "fuzz.yaml")
                    // '~' is YAML's null: the key counts as absent (default or none).
                    if let got = Self.read(limit.key, from: config), value != "~" {
                        XCTAssertTrue(limit.contains(got), "\(limit.key): \(value) accepted as \(got), outside \(limit.rangeText)")
                    }
                    Self.driveAlerts(config)
                    accepted += 1
                } catch let e as ConfigError {
                    let line = e.description
                    XCTAssertFalse(line.contains("\n"), "\(limit.key)=\(value): more than one line: \(line)")
                    XCTAssertLessThan(line.count, 400, "\(limit.key)=\(value): message too long: \(line)")
                    XCTAssertNotNil(e.line, "\(limit.key)=\(value): no line number: \(line)")
                    XCTAssertTrue(line.contains(limit.key), "\(limit.key)=\(value): key not named: \(line)")
                    rejected += 1
                }
            }
        }
        print("numeric fuzz: \(accepted) accepted, \(rejected) rejected in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        XCTAssertGreaterThan(accepted, 30)
        XCTAssertGreaterThan(rejected, 300)
    }

    static func read(_ key: String, from c: SiteConfig) -> Double? {
        let f = c.feeds[0], a = c.alerts
        switch key {
        case "capacity": return Double(c.site.capacity)
        case "retention_days": return c.retentionDays.map(Double.init)
        case "fps": return f.fps
        case "confidence": return f.confidence
        case "detect_every": return f.detectEvery.map(Double.init)
        case "capacity_warning": return a.capacityWarning
        case "capacity_critical": return a.capacityCritical
        case "offline_seconds": return a.offlineSeconds
        case "frozen_seconds": return a.frozenSeconds
        case "low_fps_ratio": return a.lowFpsRatio
        case "low_fps_seconds": return a.lowFpsSeconds
        case "tamper_seconds": return a.tamperSeconds
        case "surge_per_minute": return Double(a.surgePerMinute)
        case "disagreement_share": return a.disagreementShare
        case "on_alert_timeout": return a.onAlertTimeoutSeconds
        case "max_attempts": return c.webhooks.first.map { Double($0.maxAttempts) }
        case "timeout": return c.webhooks.first?.timeoutSeconds
        default: return nil
        }
    }

    /// A frozen picture, then the feed gone, at a full site: the rules that turn settings into
    /// whole seconds and percentages run on the accepted values.
    static func driveAlerts(_ config: SiteConfig) {
        let h = AlertHarness(config: config)
        let frozen = FrameStats(brightness: 120, contrast: 50, sharpness: 100, change: 0, referenceSimilarity: 0.9)
        h.run(3) { h in
            AlertInput(occupancy: config.site.capacity, health: ["f1": h.liveFeed("f1")], frameStats: ["f1": frozen])
        }
        h.run(3) { h in
            AlertInput(occupancy: config.site.capacity,
                       health: ["f1": FeedHealthSnapshot(feedId: "f1", atMs: h.now, state: .offline, lastFrameMs: h.now - 90_000_000)])
        }
    }

    func testKnownTrapsAreRejectedWithTheRange() throws {
        for (key, value) in [("frozen_seconds", "1e19"), ("retention_days", "106751991168"),
                             ("retention_days", "9223372036854775807"), ("capacity", "9223372036854775807"),
                             ("fps", "1e20"), ("confidence", ".nan"), ("offline_seconds", ".inf")] {
            XCTAssertThrowsError(try ConfigLoader.parse(yaml: Self.yaml(key: key, value: value), file: "s.yaml")) { error in
                let e = error as? ConfigError
                XCTAssertEqual(e?.key?.hasSuffix(key), true, "\(key): \(error)")
                let limit = Limits.siteFile.first { $0.key == key }!
                XCTAssertTrue(e?.message.contains(limit.rangeText) ?? false, "\(key)=\(value): \(error)")
            }
        }
    }

    func testParseRefusesNonDecimalForms() {
        for text in ["nan", "NaN", "inf", "-inf", "infinity", "0x1p3", "0x10", "", " ", "1e400", "-1e400"] {
            if case .success(let v) = Limits.fps.parse(text) { XCTFail("'\(text)' accepted as \(v)") }
        }
        XCTAssertEqual(try? Limits.capacity.parse("1_000").get(), 1000)
        XCTAssertEqual(try? Limits.capacity.parse(" 42 ").get(), 42)
        if case .success = Limits.capacity.parse("2.5") { XCTFail("a whole-number key took 2.5") }
    }

    func testClampNeverTraps() {
        XCTAssertEqual(NumericLimit.clampedInt(.nan), 0)
        XCTAssertEqual(NumericLimit.clampedInt(.infinity), Int.max)
        XCTAssertEqual(NumericLimit.clampedInt(-1e300), Int.min)
        XCTAssertEqual(NumericLimit.clampedInt(9.3e18), Int.max)
        XCTAssertEqual(Limits.capacity.clamp(Int.max), 10_000_000)
        XCTAssertEqual(Limits.fps.clamp(1e20), 1000)
        XCTAssertEqual(Limits.confidence.clamp(.nan), 0.4)
        XCTAssertEqual(Limits.capacity.wholeValue(.infinity), 10_000_000)
    }

    func testMessageNamesRangeUnitAndHint() {
        XCTAssertEqual(Limits.frozenSeconds.problem(1e19),
                       "must be a number greater than 0 and at most 86400 seconds (got 1e+19); identical frames for this long raise 'frozen'")
        XCTAssertNil(Limits.detectEvery.problem(100))
        XCTAssertNotNil(Limits.detectEvery.problem(101))
        XCTAssertNotNil(Limits.detectEvery.problem(1.5))
    }

    func testEveryKeyIsUniqueInTheTable() {
        let keys = Limits.siteFile.map(\.key)
        XCTAssertEqual(Set(keys).count, keys.count)
        for l in Limits.siteFile {
            XCTAssertTrue(l.min < l.max, l.key)
            if let d = l.defaultValue { XCTAssertTrue(l.contains(d), "\(l.key) default \(d) outside its range") }
        }
    }
}

extension AlertHarness {
    func liveFeed(_ id: String) -> FeedHealthSnapshot {
        FeedHealthSnapshot(feedId: id, atMs: now, state: .live, captureFps: 10, processFps: 10,
                           expectedFps: 10, lastFrameMs: now - 100)
    }
}
