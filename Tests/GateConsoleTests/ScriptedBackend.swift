import Foundation
@testable import GateConsole

/// A terminal for unit tests: a script of keys, resizes and signals in, every grid the console
/// draws out. When the script runs out the terminal "goes away", so the loop always ends.
final class ScriptedBackend: TerminalBackend {
    enum Step: Equatable {
        case key(Key)
        /// The terminal is now this size; the console reads it as the `.resize` key.
        case resize(w: Int, h: Int)
        /// A signal arrives. Ctrl-C is SIGINT: in cbreak mode the tty driver turns it into a
        /// signal, never a key.
        case signal(Int32)
        /// Nothing typed for one tick (the loop looks for new data and redraws if needed).
        case idle
    }

    private(set) var size: (w: Int, h: Int)
    let utf8: Bool
    let asciiReason: AsciiReason?
    var pictureColors: PictureColors { utf8 ? .c256 : .ascii }
    func setMouse(_ on: Bool) {}
    private(set) var stopSignal: Int32 = 0
    private(set) var terminalGone = false

    private var script: [Step]
    /// Every grid drawn, in order.
    private(set) var frames: [Grid] = []
    /// The screen as it was when each step was read: what the person saw before that step.
    private(set) var seen: [Grid?] = []
    /// The theme ids applied, in order.
    private(set) var themes: [String] = []
    private(set) var invalidations = 0

    init(_ script: [Step], width: Int = 80, height: Int = 24, utf8: Bool = true, asciiReason: AsciiReason? = nil) {
        self.script = script; size = (width, height); self.utf8 = utf8; self.asciiReason = asciiReason
    }

    /// Keys typed one character at a time.
    static func type(_ text: String) -> [Step] { text.map { .key(.char($0)) } }
    static func keys(_ keys: Key...) -> [Step] { keys.map { .key($0) } }

    /// Steps not read because the console ended first.
    var unread: Int { script.count }
    /// The last frame drawn, as text.
    var screen: String { frames.last?.text() ?? "" }
    /// What was on screen just after step `i` (0-based) was handled: seen before step i + 1,
    /// or the last frame for the final step.
    func after(_ i: Int) -> String {
        (i + 1 < seen.count ? seen[i + 1] : frames.last)?.text() ?? ""
    }

    func apply(theme: Theme, monochrome: Theme) { themes.append(theme.id) }
    func invalidate() { invalidations += 1 }
    func draw(_ grid: Grid) { frames.append(grid) }

    func readKey(timeoutMs: Int32) -> Key? {
        guard !script.isEmpty else { terminalGone = true; return nil }
        seen.append(frames.last)
        switch script.removeFirst() {
        case .key(let k): return k
        case .resize(let w, let h): size = (w, h); return .resize
        case .signal(let s): if stopSignal == 0 { stopSignal = s }; return nil
        case .idle: return nil
        }
    }
}

extension Grid {
    /// The title of the highlighted tab (row 1), e.g. "3 Alerts".
    var activeTab: String {
        String((0..<width).filter { self[$0, 1].role == .tabActive && self[$0, 1].width != 0 }.map { self[$0, 1].char })
            .trimmingCharacters(in: .whitespaces)
    }
}
