import XCTest
@testable import GateConsole

/// `gatewatch setup` in a real terminal: the picture with the line editor of the Gate screen,
/// an end moved with the arrow keys, Enter, the trial count, y at the question: the site file
/// gets the feed with the moved line and keeps its comments.
extension TmuxEndToEndTests {
    func testSetupMovesALineEndConfirmsAndTheFileGetsTheFeed() throws {
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.siteFile.write(toFile: config, atomically: true, encoding: .utf8)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let shell = "env -i HOME=\(home) TERM=tmux-256color LANG=C.UTF-8 PS1='gwshell$ ' bash --norc --noprofile"
        XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s setup -x 100 -y 30 \(q(shell))").status, 0)
        let scene = "synthetic:kind=both,seed=7,people=4,frames=150,fps=10"
        keys("setup", q("\(Self.binary) setup '\(scene)' --config \(config) --gate g1 --seconds 2") + " Enter")
        XCTAssertTrue(waitFor("setup", "A 0.100,0.500", timeout: 60), capture("setup"))
        XCTAssertTrue(capture("setup").contains("▀"), "no picture:\n\(capture("setup"))")
        for _ in 0..<5 { keys("setup", "Right") }
        keys("setup", "S-Down")
        XCTAssertTrue(waitFor("setup", "A 0.200,0.505"), capture("setup"))
        keys("setup", "Enter")
        XCTAssertTrue(waitFor("setup", "[y/N]", timeout: 120), capture("setup"))
        XCTAssertNotNil(capture("setup").range(of: #"trial 2 s with \w+: in \d+, out \d+"#, options: .regularExpression), capture("setup"))
        keys("setup", "y Enter")
        XCTAssertTrue(waitFor("setup", "feed g1-cam1 added to gate g1"), capture("setup"))
        let text = try String(contentsOfFile: config, encoding: .utf8)
        assertCommentsKept(text)
        XCTAssertTrue(text.contains("- id: g1-cam1-line1"), text)
        XCTAssertTrue(text.contains("from: [0.2, 0.505]") && text.contains("to: [0.9, 0.5]"), text)
        XCTAssertTrue(waitFor("setup", "gwshell$"), "the shell is back:\n\(capture("setup"))")
    }
}
