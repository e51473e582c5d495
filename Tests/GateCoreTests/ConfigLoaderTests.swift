import XCTest
@testable import GateCore

final class ConfigLoaderTests: XCTestCase {
    static let sample = """
    site:
      name: Khu du lịch Tràng An
      capacity: 5000
      time_zone: Asia/Ho_Chi_Minh
      opening_hours: "07:30-17:30"
    gates:
      - id: north
        name: Cổng Bắc
        feeds:
          - id: north-cam1
            source: synthetic:seed=1
            fps: 10
            realtime: true
            loop: yes
            detector: ssdlite
            confidence: 0.5
            detect_every: 2
            lines:
              - id: north-l1
                name: Lối vào
                from: [0.1, 0.6]
                to: [0.9, 0.6]
                inside: [0.5, 0.9]
          - id: north-cam2
            source: /dev/video0
            detector: motion
            lines:
              - {id: north-l2, from: [0.2, 0.5], to: [0.8, 0.5], inside: [0.5, 0.2]}
      - id: south
        feeds:
          - id: south-cam1
            source: rtsp://10.0.0.5/stream
            lines:
              - id: south-l1
                from: [0, 0.5]
                to: [1, 0.5]
                inside: [0.5, 1]
    alerts:
      capacity_warning: 0.85
      capacity_critical: 1.0
      offline_seconds: 30
      frozen_seconds: 12
      low_fps_ratio: 0.4
      low_fps_seconds: 20
      tamper_seconds: 6
      surge_per_minute: 90
      disagreement_share: 0.3
      after_hours_entries: false
      on_alert: notify-send GateWatch
      on_alert_timeout: 5
    retention_days: 90
    """

    func testValidSampleParses() throws {
        let c = try ConfigLoader.parse(yaml: Self.sample, file: "site.yaml")
        XCTAssertEqual(c.site.name, "Khu du lịch Tràng An")
        XCTAssertEqual(c.site.capacity, 5000)
        XCTAssertEqual(c.site.timeZone, "Asia/Ho_Chi_Minh")
        XCTAssertEqual(c.site.openingHours, OpeningHours(openMinute: 450, closeMinute: 1050))
        XCTAssertEqual(c.gates.map(\.id), ["north", "south"])
        XCTAssertEqual(c.gates[1].name, "south")
        let f = c.gates[0].feeds[0]
        XCTAssertEqual(f.fps, 10); XCTAssertTrue(f.realtime); XCTAssertTrue(f.loop)
        XCTAssertEqual(f.detector, .ssdlite); XCTAssertEqual(f.confidence, 0.5); XCTAssertEqual(f.detectEvery, 2)
        XCTAssertEqual(f.lines[0], LineConfig(id: "north-l1", name: "Lối vào", from: Point(0.1, 0.6), to: Point(0.9, 0.6), inside: Point(0.5, 0.9)))
        let f2 = c.gates[0].feeds[1]
        XCTAssertEqual(f2.detector, .motion); XCTAssertNil(f2.fps); XCTAssertFalse(f2.realtime); XCTAssertEqual(f2.confidence, 0.4)
        XCTAssertEqual(f2.lines[0].name, "north-l2")
        XCTAssertEqual(c.alerts.capacityWarning, 0.85); XCTAssertEqual(c.alerts.offlineSeconds, 30)
        XCTAssertEqual(c.alerts.surgePerMinute, 90); XCTAssertFalse(c.alerts.afterHoursEntries)
        XCTAssertEqual(c.alerts.onAlert, "notify-send GateWatch"); XCTAssertEqual(c.alerts.onAlertTimeoutSeconds, 5)
        XCTAssertEqual(c.retentionDays, 90)
        XCTAssertEqual(c.feeds.count, 3)
    }

    func testDefaults() throws {
        let c = try ConfigLoader.parse(yaml: """
        site: {name: S, capacity: 10}
        gates:
          - id: g
            feeds:
              - id: f
                source: clip.avi
                lines: [{id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}]
        """)
        XCTAssertEqual(c.site.timeZone, "Asia/Ho_Chi_Minh")
        XCTAssertNil(c.site.openingHours); XCTAssertNil(c.retentionDays)
        XCTAssertEqual(c.alerts, AlertSettings())
    }

    /// A name with terminal escapes would recolour or rewrite what staff read in `status`,
    /// reports and logs: refused where it enters, shown escaped in the one line.
    func testControlCharactersInTextAreRefused() {
        let e = error(replacing: "name: Cổng Bắc", with: "name: \"\\e[31mRED\\r\\nINJECTED\"")
        let text = e?.description ?? ""
        XCTAssertTrue(text.contains("control characters") && text.contains("\\e[31mRED\\r\\nINJECTED"), text)
        XCTAssertFalse(text.contains("\u{1B}") || text.contains("\r"), text)
    }

    func testDroppedShareIsReadAndRanged() throws {
        let c = try ConfigLoader.parse(yaml: Self.sample.replacingOccurrences(of: "disagreement_share: 0.3",
                                                                              with: "disagreement_share: 0.3\n  dropped_share: 0.2"))
        XCTAssertEqual(c.alerts.droppedShare, 0.2)
        let e = error(replacing: "disagreement_share: 0.3", with: "disagreement_share: 0.3\n  dropped_share: 1.5")
        XCTAssertTrue(e?.description.contains("dropped_share") == true, e?.description ?? "")
    }

    func testPrivacyIsOnUnlessTheSiteTurnsItOff() throws {
        XCTAssertTrue(try ConfigLoader.parse(yaml: Self.sample).privacy, "people are blurred by default")
        let off = Self.sample.replacingOccurrences(of: "retention_days: 90", with: "retention_days: 90\nprivacy: false")
        XCTAssertFalse(try ConfigLoader.parse(yaml: off).privacy)
        let e = error(replacing: "retention_days: 90", with: "retention_days: 90\nprivacy: blurry")
        XCTAssertEqual(e?.key, "privacy")
        XCTAssertTrue(e?.description.contains("true or false") == true, e?.description ?? "")
    }

    func testApiSectionServesFromTheRunWithOneLinePerBadValue() throws {
        XCTAssertNil(try ConfigLoader.parse(yaml: Self.sample).api, "no api: section, no API in run")
        let api = Self.sample.replacingOccurrences(of: "retention_days: 90", with: """
            retention_days: 90
            api:
              listen: "[::1]:9090"
              metrics: open
              tls_cert: tls/cert.pem
              tls_key: /etc/gatewatch/key.pem
            """)
        let parsed = try XCTUnwrap(try ConfigLoader.parse(yaml: api).api)
        XCTAssertEqual(parsed, APISettings(host: "::1", port: 9090, metrics: .open, tlsCert: "tls/cert.pem", tlsKey: "/etc/gatewatch/key.pem"))
        XCTAssertEqual(parsed.resolvingPaths(against: "/srv/site").tlsCert, "/srv/site/tls/cert.pem")
        XCTAssertEqual(parsed.resolvingPaths(against: "/srv/site").tlsKey, "/etc/gatewatch/key.pem")
        XCTAssertEqual(parsed.baseURL(port: 1), "https://[::1]:1")
        XCTAssertEqual(try ConfigLoader.parse(yaml: Self.sample.replacingOccurrences(of: "retention_days: 90", with: "retention_days: 90\napi: {}")).api,
                       APISettings(), "an empty section: loopback 8080, metrics need a key, plain HTTP")
        let cases: [(String, String, String)] = [
            ("api:\n  listen: 8080", "api.listen", "is not host:port"),
            ("api:\n  listen: localhost:99999", "api.listen", "is not host:port"),
            ("api:\n  metrics: public", "api.metrics", "key"),
            ("api:\n  tls_cert: c.pem", "api.tls_cert", "without tls_key"),
            ("api:\n  tls_key: k.pem", "api.tls_key", "without tls_cert"),
            ("api:\n  port: 80", "api.port", "port"),
        ]
        for (section, key, says) in cases {
            let e = error(replacing: "retention_days: 90", with: "retention_days: 90\n" + section)
            XCTAssertEqual(e?.key, key, section)
            XCTAssertTrue(e?.description.contains(says) == true, "\(section): \(e?.description ?? "")")
        }
    }

    /// Replaces `old` in the sample (once) and returns the error the loader gives.
    func error(replacing old: String, with new: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        let yaml = Self.sample.replacingOccurrences(of: old, with: new)
        XCTAssertNotEqual(yaml, Self.sample, "test edit did not apply", file: file, line: line)
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "site.yaml")
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch let e as ConfigError {
            XCTAssertFalse(e.description.contains("\n"), "one line", file: file, line: line)
            return e
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    func testCoordinateOutOfRange() {
        let e = error(replacing: "from: [0.1, 0.6]", with: "from: [1.3, 0.6]")
        XCTAssertEqual(e?.description,
                       "site.yaml:21:20: key 'gates[0].feeds[0].lines[0].from': x must be between 0 and 1 (got 1.3); coordinates are shares of the frame, origin top-left")
        let e2 = error(replacing: "inside: [0.5, 1]", with: "inside: [0.5, -0.2]")
        XCTAssertEqual(e2?.line, 37); XCTAssertEqual(e2?.column, 27)
        XCTAssertEqual(e2?.key, "gates[1].feeds[0].lines[0].inside")
        XCTAssertTrue(e2?.message.hasPrefix("y must be between 0 and 1 (got -0.2)") ?? false)
    }

    func testUnknownKeySuggestsClosest() {
        let e = error(replacing: "  capacity: 5000", with: "  capcity: 5000")
        XCTAssertEqual(e?.line, 3); XCTAssertEqual(e?.column, 3)
        XCTAssertEqual(e?.key, "site.capcity")
        XCTAssertTrue(e?.message.contains("did you mean 'capacity'?") ?? false, e?.message ?? "")
        let e2 = error(replacing: "detect_every: 2", with: "detect_evry: 2")
        XCTAssertTrue(e2?.message.contains("did you mean 'detect_every'?") ?? false)
        XCTAssertEqual(e2?.line, 17); XCTAssertEqual(e2?.column, 9)
    }

    func testMissingRequiredKey() {
        let e = error(replacing: "        source: /dev/video0\n", with: "")
        XCTAssertEqual(e?.key, "gates[0].feeds[1].source")
        XCTAssertTrue(e?.message.contains("missing required key") ?? false)
        XCTAssertEqual(e?.line, 24); XCTAssertEqual(e?.column, 9)
    }

    func testInsidePointOnTheLine() {
        let e = error(replacing: "inside: [0.5, 0.9]", with: "inside: [0.5, 0.6]")
        XCTAssertEqual(e?.key, "gates[0].feeds[0].lines[0].inside")
        XCTAssertEqual(e?.line, 23)
        XCTAssertTrue(e?.message.contains("lies on the line") ?? false)
    }

    func testDuplicateIds() {
        let e = error(replacing: "id: south-cam1", with: "id: north-cam1")
        XCTAssertEqual(e?.key, "gates[1].feeds[0].id")
        XCTAssertEqual(e?.line, 31); XCTAssertEqual(e?.column, 13)
        XCTAssertTrue(e?.message.contains("duplicate feed id 'north-cam1' (first at line 10") ?? false, e?.message ?? "")
        let e2 = error(replacing: "id: south-l1", with: "id: north-l1")
        XCTAssertEqual(e2?.key, "gates[1].feeds[0].lines[0].id")
        let e3 = error(replacing: "id: south\n", with: "id: north\n")
        XCTAssertEqual(e3?.key, "gates[1].id"); XCTAssertEqual(e3?.line, 29)
    }

    func testCapacityMustBePositive() {
        let e = error(replacing: "capacity: 5000", with: "capacity: 0")
        XCTAssertEqual(e?.line, 3); XCTAssertEqual(e?.column, 13)
        XCTAssertTrue(e?.message.contains("a whole number between 1 and 10000000 people (got 0)") ?? false, e?.message ?? "")
        let e2 = error(replacing: "capacity: 5000", with: "capacity: lots")
        XCTAssertTrue(e2?.message.contains("a whole number between 1") ?? false, e2?.message ?? "")
        XCTAssertTrue(e2?.message.contains("(got 'lots')") ?? false, e2?.message ?? "")
    }

    func testUnknownTimeZone() {
        let e = error(replacing: "Asia/Ho_Chi_Minh", with: "Asia/Hanoi_City")
        XCTAssertEqual(e?.line, 4); XCTAssertEqual(e?.column, 14)
        XCTAssertTrue(e?.message.contains("unknown time zone 'Asia/Hanoi_City'") ?? false)
    }

    func testOpeningHoursFormat() {
        for bad in ["\"7h-17h\"", "\"07:30\"", "\"25:00-17:00\"", "\"07:30-07:30\"", "\"07:3-17:00\""] {
            let e = error(replacing: "\"07:30-17:30\"", with: bad)
            XCTAssertEqual(e?.key, "site.opening_hours", bad); XCTAssertEqual(e?.line, 5, bad)
        }
        XCTAssertNoThrow(try ConfigLoader.parse(yaml: Self.sample.replacingOccurrences(of: "\"07:30-17:30\"", with: "20:00-02:00")))
        let c = try? ConfigLoader.parse(yaml: Self.sample.replacingOccurrences(of: "\"07:30-17:30\"", with: "20:00-02:00"))
        XCTAssertEqual(c?.site.openingHours?.contains(minuteOfDay: 60), true)
    }

    func testOccupancyResetTime() throws {
        let site = Self.sample.replacingOccurrences(of: "opening_hours: \"07:30-17:30\"",
                                                    with: "opening_hours: \"07:30-17:30\"\n  occupancy_reset: \"%@\"")
        XCTAssertEqual(try ConfigLoader.parse(yaml: Self.sample).site.occupancyReset, .midnight)
        XCTAssertEqual(try ConfigLoader.parse(yaml: site.replacingOccurrences(of: "%@", with: "04:30")).site.occupancyReset,
                       OccupancyReset(minuteOfDay: 270))
        for bad in ["4h", "24:00", "04:60", "-1:00", "4:3"] {
            XCTAssertThrowsError(try ConfigLoader.parse(yaml: site.replacingOccurrences(of: "%@", with: bad)), bad) { e in
                let c = e as? ConfigError
                XCTAssertEqual(c?.key, "site.occupancy_reset", bad)
                XCTAssertTrue(c?.message.contains("write HH:MM") ?? false, "\(e)")
            }
        }
    }

    func testDetectorChoiceWithSuggestion() {
        let e = error(replacing: "detector: motion", with: "detector: motoin")
        XCTAssertEqual(e?.line, 26); XCTAssertEqual(e?.column, 19)
        XCTAssertTrue(e?.message.contains("did you mean 'motion'?") ?? false)
        XCTAssertTrue(e?.message.contains("ssdlite, yolox, hog, motion") ?? false)
    }

    func testFpsMustBePositive() {
        let e = error(replacing: "fps: 10", with: "fps: 0")
        XCTAssertEqual(e?.key, "gates[0].feeds[0].fps"); XCTAssertEqual(e?.line, 12)
        let e2 = error(replacing: "fps: 10", with: "fps: \"10\"")
        XCTAssertTrue(e2?.message.contains("remove the quotes") ?? false)
    }

    func testWrongTypes() {
        XCTAssertTrue(error(replacing: "realtime: true", with: "realtime: maybe")?.message.contains("true or false") ?? false)
        XCTAssertTrue(error(replacing: "from: [0.1, 0.6]", with: "from: 0.1")?.message.contains("expected a point") ?? false)
        XCTAssertTrue(error(replacing: "from: [0.1, 0.6]", with: "from: [0.1, 0.6, 0.2]")?.message.contains("got 3 values") ?? false)
        let e = error(replacing: "gates:\n", with: "gates: nope\nx:\n")
        XCTAssertNotNil(e)
        XCTAssertTrue(error(replacing: "detect_every: 2", with: "detect_every: 0")?.message.contains("between 1 and 100") ?? false)
        XCTAssertTrue(error(replacing: "confidence: 0.5", with: "confidence: 1.5")?.message.contains("greater than 0 and at most 1") ?? false)
        XCTAssertTrue(error(replacing: "capacity_critical: 1.0", with: "capacity_critical: 0.5")?.message.contains("must not be below") ?? false)
        XCTAssertEqual(error(replacing: "retention_days: 90", with: "retention_days: 0")?.key, "retention_days")
    }

    func testEmptyListsAndDuplicateKeys() {
        let e = error(replacing: "retention_days: 90", with: "retention_days: 90\nretention_days: 30")
        XCTAssertTrue(e?.message.contains("appears twice") ?? false)
        XCTAssertEqual(e?.line, 52); XCTAssertEqual(e?.column, 1)
        let e2 = try? ConfigLoader.parse(yaml: "site: {name: S, capacity: 1}\ngates: []\n")
        XCTAssertNil(e2)
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: "site: {name: S, capacity: 1}\ngates: []\n")) { err in
            XCTAssertTrue("\(err)".contains("the list is empty"), "\(err)")
        }
    }

    func testYamlSyntaxErrorHasLineAndColumn() {
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: "site:\n  name: [unclosed\n  capacity: 3\n", file: "bad.yaml")) { err in
            guard let e = err as? ConfigError else { return XCTFail("\(err)") }
            XCTAssertNotNil(e.line); XCTAssertNotNil(e.column)
            XCTAssertTrue(e.description.hasPrefix("bad.yaml:\(e.line!):\(e.column!): YAML syntax error"), e.description)
            XCTAssertFalse(e.description.contains("\n"))
        }
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: "site:\n\tname: x\n", file: "tab.yaml")) { err in
            XCTAssertTrue("\(err)".hasPrefix("tab.yaml:2:"), "\(err)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: "", file: "empty.yaml")) { err in
            XCTAssertTrue("\(err)".hasPrefix("empty.yaml:1:1: config is empty"), "\(err)")
        }
    }

    func testLoadFromFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("site.yaml").path
        try Self.sample.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ConfigLoader.load(path: path).site.capacity, 5000)
        XCTAssertThrowsError(try ConfigLoader.load(path: path + ".missing")) { err in
            XCTAssertTrue("\(err)".contains("config file not found"), "\(err)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(path: dir.path)) { err in
            XCTAssertTrue("\(err)".contains("is a directory"), "\(err)")
        }
    }

    func testLineArguments() throws {
        let (a, b) = try ConfigLoader.parseLineArgument("0.1,0.5,0.9,0.5")
        XCTAssertEqual(a, Point(0.1, 0.5)); XCTAssertEqual(b, Point(0.9, 0.5))
        XCTAssertEqual(try ConfigLoader.parsePointArgument(" 0.5 , 0.9"), Point(0.5, 0.9))
        XCTAssertThrowsError(try ConfigLoader.parseLineArgument("0.1,0.5,1.3,0.5")) { err in
            XCTAssertEqual("\(err)", "--line: x2 must be between 0 and 1 (got 1.3); coordinates are shares of the frame, origin top-left")
        }
        XCTAssertThrowsError(try ConfigLoader.parseLineArgument("0.1,0.5,0.9")) { err in
            XCTAssertTrue("\(err)".contains("expected 4 numbers X1,Y1,X2,Y2"))
        }
        XCTAssertThrowsError(try ConfigLoader.parsePointArgument("a,0.5")) { err in
            XCTAssertTrue("\(err)".hasPrefix("--inside: x must be a number between 0 and 1 (got 'a')"), "\(err)")
        }
        XCTAssertThrowsError(try ConfigLoader.parseLineArgument("0.5,0.5,0.5,0.5")) { err in
            XCTAssertTrue("\(err)".contains("same point"))
        }
        XCTAssertThrowsError(try ConfigLoader.lineFromArguments(line: "0.1,0.5,0.9,0.5", inside: "0.3,0.5")) { err in
            XCTAssertTrue("\(err)".hasPrefix("--inside: inside point (0.3, 0.5) lies on the line"), "\(err)")
        }
        let l = try ConfigLoader.lineFromArguments(line: "0.1,0.5,0.9,0.5", inside: "0.5,0.8")
        XCTAssertEqual(l.inside, Point(0.5, 0.8))
    }

    /// `--inside X,Y` and `from: [x, y]` follow one rule: the same values refused with the same words
    /// (hex floats such as 0x0.8 were taken by both before; '_' separators are taken by both).
    func testCoordinatesSameRuleInFileAndOption() throws {
        for bad in ["1.3", "-0.2", "abc", "0x0.8", "nan", "1e400"] {
            let file = error(replacing: "from: [0.1, 0.6]", with: "from: [\(bad), 0.6]")
            var option: String?
            do { _ = try ConfigLoader.parsePointArgument("\(bad),0.6", option: "--inside") } catch let e as ConfigError {
                option = e.message
            }
            XCTAssertNotNil(option, bad)
            XCTAssertEqual(file?.message, option, bad)
        }
        XCTAssertEqual(try ConfigLoader.parsePointArgument("0.5_0,1"), Point(0.5, 1))
        let c = try ConfigLoader.parse(yaml: Self.sample.replacingOccurrences(of: "from: [0.1, 0.6]", with: "from: [0.1_0, 0.6]"))
        XCTAssertEqual(c.gates[0].feeds[0].lines[0].from, Point(0.1, 0.6))
        // The same "too short" words for a file's line and --line.
        let short = error(replacing: "to: [0.9, 0.6]", with: "to: [0.1, 0.6]")
        XCTAssertThrowsError(try ConfigLoader.parseLineArgument("0.1,0.6,0.1,0.6")) { err in
            XCTAssertEqual((err as? ConfigError)?.message, short?.message)
        }
    }

    /// The quoted-number rule: a number or true/false in quotes is refused, with "remove the quotes".
    func testQuotedNumbersAndBoolsRefused() {
        for (old, new) in [("capacity: 5000", "capacity: \"5000\""), ("confidence: 0.5", "confidence: '0.5'"),
                           ("retention_days: 90", "retention_days: \"90\""), ("realtime: true", "realtime: \"true\""),
                           ("from: [0.1, 0.6]", "from: [\"0.1\", 0.6]")] {
            let e = error(replacing: old, with: new)
            XCTAssertTrue(e?.message.contains("remove the quotes") ?? false, "\(new): \(e?.message ?? "no error")")
        }
    }

    func testSuggestions() {
        XCTAssertEqual(closest("capcity", in: ["name", "capacity", "time_zone"]), "capacity")
        XCTAssertEqual(closest("timezone", in: ["name", "capacity", "time_zone"]), "time_zone")
        XCTAssertNil(closest("banana", in: ["name", "capacity", "time_zone"]))
    }
}
