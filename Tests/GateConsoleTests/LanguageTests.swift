import XCTest
@testable import GateConsole

/// The Vietnamese console has no English words left where a Vietnamese one exists.
extension SnapshotTests {
    func testNoEnglishLeftInVietnamese() throws {
        let english = ["Machine", "cap/proc", "running", "source:", "detector:", "expected fps", "frames:", "det ms"]
        var screens = [try render(.health, 160, 48, .vi), try render(.health, 80, 24, .vi, configure: { $0.detailOpen = true }),
                       try render(.tests, 160, 48, .vi), try render(.gate, 160, 48, .vi)]
        screens.append(try render(.health, 160, 48, .vi, configure: { $0.detailOpen = true }))
        for text in screens {
            for word in english { XCTAssertFalse(text.contains(word), "'\(word)' in:\n\(text)") }
        }
        XCTAssertTrue(screens[0].contains("Bộ xử lý: đang chạy"), screens[0])
        XCTAssertTrue(screens[2].contains("Máy"), screens[2])
        XCTAssertTrue(try render(.health, 160, 48, .en).contains("Pipeline: running"))
    }

    func testThemeNamesAndAsciiReasonInBothLanguages() {
        let vi = Strings(.vi), en = Strings(.en)
        XCTAssertEqual(vi.themeName("high-contrast", fallback: "High contrast"), "tương phản cao")
        XCTAssertEqual(en.themeName("monochrome", fallback: "Monochrome"), "monochrome")
        XCTAssertEqual(vi.themeName("site-night", fallback: "Site night"), "Site night")
        XCTAssertTrue(vi.asciiBecause(.localeMissing("vi_VN.UTF-8")).contains("locale-gen vi_VN.UTF-8"))
        XCTAssertTrue(en.asciiBecause(.notUTF8("C")).contains("Locale C is not UTF-8"))
    }
}

extension TmuxEndToEndTests {
    /// A missing vi_VN.UTF-8 (or a non-UTF-8 LANG) gives ASCII, and the footer says why, once.
    func testAsciiFallbackSaysWhy() throws {
        let (db, _) = try seed()
        let installed = sh("locale -a").out.lowercased()
        let missing = installed.contains("vi_vn.utf8") ? "vi_XX.UTF-8" : "vi_VN.UTF-8"
        for (name, lang, expect) in [("nolocale", missing, "locale-gen \(missing)"), ("clocale", "C", "Locale C is not UTF-8")] {
            XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s \(name) -x 120 -y 30 \(q("env -i HOME=/tmp XDG_CONFIG_HOME=\(dir.path) TERM=tmux-256color LANG=\(lang) USER=tester bash --norc --noprofile"))").status, 0)
            keys(name, q("exec \(Self.binary) console --db \(db) --lang \(lang == "C" ? "en" : "vi")") + " Enter")
            XCTAssertTrue(waitFor(name, "GateWatch - "), capture(name))
            XCTAssertTrue(waitFor(name, expect), capture(name))
            keys(name, "2")   // a key clears it: said once
            XCTAssertTrue(waitFor(name, "(< >)"), capture(name))
            XCTAssertFalse(capture(name).contains(expect), capture(name))
        }
    }
}
