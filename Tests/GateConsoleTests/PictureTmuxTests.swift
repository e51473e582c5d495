import XCTest
@testable import GateConsole

/// The Gate screen's live picture and the line editor in a real terminal, against a real
/// `gatewatch run` on a synthetic scene.
extension TmuxEndToEndTests {
    /// One walker-only scene: seed 7 has 4 people, all walking up across y=0.55 every 15 s
    /// (`gatewatch synth --kind both --seed 7 --people 4 --frames 150`: 0 in, 4 out a loop).
    static let siteFile = """
    # Site for the picture tests: comments must survive the line editor.
    site:
      name: "Test site"   # the name
      capacity: 50
      time_zone: UTC

    gates:
      - id: g1
        name: "Gate one"
        feeds:
          # the one camera
          - id: cam1
            name: "Camera one"
            source: "synthetic:kind=both,seed=7,people=4,frames=150,fps=10"
            fps: 10
            realtime: true
            loop: true
            lines:
              - id: l1
                name: "Line one"
                from: [0.05, 0.55]
                to: [0.95, 0.55]
                inside: [0.5, 0.9]
            # after the lines
    alerts:
      offline_seconds: 20   # kept too
    """

    /// Every comment of `siteFile` is still in `text` (an edit keeps the rest of the file as it was).
    func assertCommentsKept(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for kept in ["# Site for the picture tests", "# the name", "# the one camera", "# after the lines", "# kept too"] {
            XCTAssertTrue(text.contains(kept), "\(kept) lost:\n\(text)", file: file, line: line)
        }
    }

    /// `gatewatch run` in its own tmux session (stopped with SIGTERM at the end: SIGHUP reloads).
    func startRunner() throws -> (db: String, config: String) {
        let config = dir.appendingPathComponent("site.yaml").path, db = dir.appendingPathComponent("site.sqlite").path
        try Self.siteFile.write(toFile: config, atomically: true, encoding: .utf8)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let pidFile = dir.appendingPathComponent("run.pid").path, log = dir.appendingPathComponent("run.log").path
        let cmd = "sh -c 'echo $$ > \(pidFile); exec env HOME=\(home) \(Self.binary) run --config \(config) --db \(db) > \(log) 2>&1'"
        XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s run -x 120 -y 10 \(q(cmd))").status, 0)
        let started = (0..<100).contains { _ in
            usleep(100_000)
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("running site")
        }
        XCTAssertTrue(started, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "no log")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        addTeardownBlock { if pid > 0 { kill(pid, SIGTERM) } }
        return (db, config)
    }

    /// The picture box's inside, row by row (from the capture with colours when `colours`): the
    /// box is found in the plain capture, its rows taken from the one asked for.
    func pictureRows(_ session: String, colours: Bool) -> [String] {
        let plain = capture(session).components(separatedBy: "\n")
        // The box's top edge with its title (the site's name may say "Picture" too).
        guard let top = plain.firstIndex(where: { $0.contains("┌─ Picture") || $0.contains("+- Picture") }) else { return [] }
        let count = plain[(top + 1)...].prefix { $0.hasPrefix("│") || $0.hasPrefix("|") }.count
        let rows = colours ? sh("tmux -L \(socket) capture-pane -p -e -t \(session)").out.components(separatedBy: "\n") : plain
        guard rows.count >= top + 1 + count else { return [] }
        return rows[(top + 1)..<(top + 1 + count)].map { row in
            // The box's left border to its right border.
            let parts = row.components(separatedBy: row.contains("│") ? "│" : "|")
            return parts.count > 2 ? parts[1] : row
        }
    }

    /// The picture shows, and changes while the scene moves.
    func assertPictureMoves(_ session: String, colours: Bool, minRows: Int, file: StaticString = #filePath, line: UInt = #line) {
        let glyph = colours ? "▀" : "#"
        let shown = (0..<100).contains { _ in usleep(100_000); return pictureRows(session, colours: colours).joined().contains(glyph) }
        XCTAssertTrue(shown, "no picture:\n\(capture(session))", file: file, line: line)
        let first = pictureRows(session, colours: colours)
        XCTAssertGreaterThanOrEqual(first.count, minRows, capture(session), file: file, line: line)
        let moved = (0..<50).contains { _ in usleep(200_000); return pictureRows(session, colours: colours) != first }
        XCTAssertTrue(moved, "the picture did not change:\n\(capture(session))", file: file, line: line)
    }

    func testGatePictureMovesAt80x24And200x60() throws {
        let (db, _) = try startRunner()
        _ = try startConsole("pic", db: db)
        keys("pic", "2")
        XCTAssertTrue(waitFor("pic", "Picture · Camera one"), capture("pic"))
        assertPictureMoves("pic", colours: true, minRows: 8)
        XCTAssertTrue(capture("pic").contains("A••"), "the line is drawn:\n\(capture("pic"))")
        sh("tmux -L \(socket) resize-window -t pic -x 200 -y 60")
        assertPictureMoves("pic", colours: true, minRows: 30)
        // Leaving the Gate screen stops the previews within a few seconds.
        keys("pic", "1")
        let preview = dir.appendingPathComponent("site.sqlite.preview/cam1.preview").path
        sleep(4)
        let stamp = try FileManager.default.attributesOfItem(atPath: preview)[.modificationDate] as? Date
        sleep(2)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: preview)[.modificationDate] as? Date, stamp,
                       "previews went on with no console on the Gate screen")
    }

    func testAsciiRampWithLangCAndWithNoColor() throws {
        let (db, _) = try startRunner()
        for (session, env) in [("langc", "LANG=C"), ("nocolor", "LANG=C.UTF-8 NO_COLOR=1")] {
            let cmd = "env -i HOME=/tmp XDG_CONFIG_HOME=\(dir.path) TERM=tmux-256color \(env) \(Self.binary) console --db \(db) --lang en"
            XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s \(session) -x 80 -y 24 \(q(cmd))").status, 0)
            XCTAssertTrue(waitFor(session, "GateWatch"), capture(session))
            keys(session, "2")
            assertPictureMoves(session, colours: false, minRows: 8)
            let picture = pictureRows(session, colours: false).joined()
            XCTAssertFalse(picture.contains("▀"), "\(env): half blocks drawn:\n\(capture(session))")
            XCTAssertTrue(picture.contains { ".:-=+*#%@".contains($0) }, "\(env): no ramp:\n\(capture(session))")
            keys(session, "q")
        }
    }

    /// The editor moves an end and flips the in-side, saves with the comments kept, and the running
    /// site counts with the new line: the scene's walkers all go up, so with the in-side above they
    /// count as in (truth 4 in, 0 out a loop), where the old line counted them out.
    func testEditorSavesAndTheRunningSiteCountsWithTheNewLine() throws {
        let (db, config) = try startRunner()
        _ = try startConsole("edit", db: db, w: 100, h: 30)
        keys("edit", "2")
        XCTAssertTrue(waitFor("edit", "Picture · Camera one"), capture("edit"))
        keys("edit", "e")
        XCTAssertTrue(waitFor("edit", "EDITING"), capture("edit"))
        keys("edit", "Down"); keys("edit", "Down"); keys("edit", "S-Down")
        XCTAssertTrue(waitFor("edit", "A 0.050, 0.595"), capture("edit"))
        keys("edit", "i")
        keys("edit", "s")
        XCTAssertTrue(waitFor("edit", "Lines saved to"), capture("edit"))
        let text = try String(contentsOfFile: config, encoding: .utf8)
        assertCommentsKept(text)
        XCTAssertTrue(text.contains("from: [0.05, 0.595]"), text)
        let log = dir.appendingPathComponent("run.log").path
        let reloaded = (0..<100).contains { _ in
            usleep(100_000)
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("site file reloaded (file-changed): feed cam1: l1 [0.05, 0.595]")
        }
        XCTAssertTrue(reloaded, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        // Counts since the reload, on the side panel: three walkers in (of four a loop), none out.
        func counts() -> (ins: Int, outs: Int)? {
            // The side panel's row under the line's name: "  In 3  Out 0".
            guard let row = capture("edit").components(separatedBy: "\n").first(where: { $0.contains("  In ") && $0.contains("  Out ") })
            else { return nil }
            let words = row.split(separator: " ")
            guard let i = words.lastIndex(of: "In"), let o = words.lastIndex(of: "Out"), o + 1 < words.count,
                  let ins = Int(words[i + 1]), let outs = Int(words[o + 1]) else { return nil }
            return (ins, outs)
        }
        let counted = (0..<600).contains { _ in usleep(100_000); return (counts()?.ins ?? 0) >= 3 }
        XCTAssertTrue(counted && counts()?.outs == 0,
                      "the new line does not count as the scene's truth says:\n\(capture("edit"))\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        keys("edit", "Escape")
        keys("edit", "q")
    }
}
