import CCurses
import CTerminal
import Foundation

/// The one file that talks to ncurses: terminal setup and teardown, colours,
/// drawing a Grid (only rows that changed), and reading keys with a timeout.
final class CursesBackend: TerminalBackend {
    enum ColorMode: String { case none, c8 = "8", c256 = "256" }

    private var screen: OpaquePointer?
    private var previous: Grid?
    private(set) var colorMode: ColorMode = .none
    /// How pictures are drawn (one rule: PictureColors.choose).
    private(set) var pictureColors: PictureColors = .ascii
    /// Colour pairs of picture cells, made as pictures need them (after the roles' pairs).
    private var paintPairs: [Paint: Int32] = [:]
    private var nextPaintPair: Int32 = CursesBackend.firstPaintPair
    static let firstPaintPair: Int32 = 64
    private var pairsRemade = false
    private var attrs: [Role: UInt32] = [:]
    let utf8: Bool

    /// Sets the locale first so ncursesw measures and prints multibyte text correctly.
    /// Why text is drawn in ASCII, when the locale (not GATEWATCH_ASCII=1) decided it.
    let asciiReason: AsciiReason?

    init() {
        let env = ProcessInfo.processInfo.environment
        let known = setlocale(LC_ALL, "") != nil
        let forceAscii = env["GATEWATCH_ASCII"].map { $0 == "1" } ?? false
        utf8 = gw_is_utf8() != 0 && !forceAscii
        // The locale the environment asked for, as setlocale reads it.
        let asked = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { env[$0] }.first { !$0.isEmpty } ?? "C"
        if utf8 || forceAscii { asciiReason = nil } else { asciiReason = known ? .notUTF8(asked) : .localeMissing(asked) }
    }

    func start() throws {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw ConsoleError("the console needs a terminal (stdin and stdout are not a TTY); for scripts use `gatewatch status --db FILE`")
        }
        gw_term_save()
        gw_term_install()   // before newterm, so ncurses keeps our handlers
        // newterm (unlike initscr) returns nil instead of exiting on an unknown TERM.
        guard let scr = newterm(nil, stdout, stdin) else {
            gw_term_reset()
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw ConsoleError("terminal type `\(term)` is unknown to ncurses; set TERM to e.g. xterm-256color or vt100")
        }
        screen = scr
        set_term(scr)
        gw_term_build_restore()
        gw_term_set_active(1)
        cbreak(); noecho(); nonl()
        keypad(stdscr, true)
        intrflush(stdscr, false)
        set_escdelay(25)
        curs_set(0)
        setTimeout(250)
    }

    /// The getch timeout now in force (set only when it changes).
    private var timeoutMs: Int32 = -1
    private func setTimeout(_ ms: Int32) {
        guard ms != timeoutMs else { return }
        timeoutMs = ms
        timeout(ms)
    }

    func stop() {
        guard screen != nil else { return }
        endwin()
        gw_term_set_active(0)
        delscreen(screen)
        screen = nil
    }

    /// After stop(): back to the default signal actions (a later signal kills as usual).
    func resetSignals() { gw_term_reset() }

    /// The first SIGINT/SIGTERM/SIGHUP received, or 0.
    var stopSignal: Int32 { gw_term_stop_signal() }
    /// Set when the terminal went away (SSH dropped, tmux session killed): the console must end.
    private(set) var terminalGone = false
    /// get_wch calls in a row that returned at once with nothing, while stdin said it was readable.
    private var emptyReads = 0
    var size: (w: Int, h: Int) { (Int(gw_cols()), Int(gw_lines())) }

    /// Chooses colours by capability: none (NO_COLOR, no colour support, or a monochrome
    /// theme), 8, or 256; then maps every role to a colour pair and attributes.
    func apply(theme: Theme, monochrome: Theme) {
        let env = ProcessInfo.processInfo.environment
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        var mode: ColorMode = .none
        if !noColor && has_colors() && theme.id != "monochrome" {
            start_color()
            _ = use_default_colors()
            mode = gw_colors() >= 256 ? .c256 : (gw_colors() >= 8 ? .c8 : .none)
        }
        colorMode = mode
        pictureColors = PictureColors.choose(utf8: utf8, noColor: noColor, monochrome: theme.id == "monochrome",
                                             colors: mode == .none ? 0 : Int(gw_colors()))
        paintPairs = [:]; nextPaintPair = Self.firstPaintPair
        let t = mode == .none ? monochrome : theme
        attrs = [:]
        for (i, role) in Role.allCases.enumerated() {
            let st = t.style(role)
            var a: UInt32 = 0
            if st.bold { a |= gw_a_bold() }
            if st.dim { a |= gw_a_dim() }
            if st.reverse { a |= gw_a_reverse() }
            if st.underline { a |= gw_a_underline() }
            if mode != .none {
                let fg = mode == .c256 ? st.fg.c256 : st.fg.c8
                let bg = mode == .c256 ? st.bg.c256 : st.bg.c8
                let pair = Int16(i + 1)
                init_pair(pair, Int16(fg), Int16(bg))
                a |= UInt32(bitPattern: gw_color_pair(Int32(pair)))
            }
            attrs[role] = a
        }
        bkgdset(chtype(attrs[.normal] ?? 0) | chtype(32))
        previous = nil
    }

    private var mouseOn = false
    /// Mouse clicks reported (only while the line editor is open, so the terminal's own text
    /// selection works the rest of the time).
    func setMouse(_ on: Bool) {
        guard on != mouseOn, screen != nil else { return }
        mouseOn = on
        gw_mouse(on ? 1 : 0)
    }

    /// Forgets what is on screen (after a resize or theme change) so the next draw is complete.
    func invalidate() {
        previous = nil
        clearok(stdscr, true)
    }

    /// Draws the rows that differ from the last frame, grouping runs of one role.
    func draw(_ grid: Grid) {
        let full = previous == nil || previous!.width != grid.width || previous!.height != grid.height
        if full { erase() }
        for y in 0..<grid.height {
            let start = y * grid.width
            if !full, let p = previous, p.cells[start..<start + grid.width] == grid.cells[start..<start + grid.width] { continue }
            move(Int32(y), 0)
            var x = 0
            while x < grid.width {
                let role = grid.cells[start + x].role, paint = grid.cells[start + x].paint
                var run = ""
                while x < grid.width, grid.cells[start + x].role == role, grid.cells[start + x].paint == paint {
                    let c = grid.cells[start + x]
                    if c.width != 0 { run.append(c.char) }
                    x += 1
                }
                if let paint, let pair = pair(for: paint) { _ = gw_attr_set_pair(pair) } else { attrset(Int32(bitPattern: attrs[role] ?? 0)) }
                // The bottom-right cell makes addstr return ERR (the cursor cannot advance); the text is drawn.
                _ = addstr(run)
            }
        }
        attrset(0)
        refresh()
        // Cells drawn before the pairs were made again show other colours: all again next time.
        previous = pairsRemade ? nil : grid
        pairsRemade = false
    }

    /// The colour pair of a picture cell's colours, made on first use. When the pairs run out
    /// they are all made again (the whole screen is drawn again with the next frame).
    private func pair(for paint: Paint) -> Int32? {
        guard colorMode != .none else { return nil }
        if let p = paintPairs[paint] { return p }
        if nextPaintPair >= gw_color_pairs() {
            paintPairs = [:]; nextPaintPair = Self.firstPaintPair; pairsRemade = true
        }
        guard nextPaintPair < gw_color_pairs(), gw_init_pair(nextPaintPair, paint.fg, paint.bg) == OK else { return nil }
        paintPairs[paint] = nextPaintPair
        nextPaintPair += 1
        return paintPairs[paint]
    }

    /// Waits up to `timeoutMs` for a key; nil on timeout, signal or a lost terminal
    /// (then `terminalGone` is set: a hung-up tty makes get_wch fail at once, forever).
    func readKey(timeoutMs ms: Int32) -> Key? {
        setTimeout(ms)
        var wc: wint_t = 0
        let r = get_wch(&wc)
        if r == ERR {
            checkTerminal()
            return nil
        }
        emptyReads = 0
        if r == KEY_CODE_YES {
            switch Int32(wc) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_RESIZE: return .resize
            case KEY_SR: return .shiftUp
            case KEY_SF: return .shiftDown
            case KEY_SLEFT: return .shiftLeft
            case KEY_SRIGHT: return .shiftRight
            case KEY_MOUSE:
                var x: Int32 = 0, y: Int32 = 0
                return gw_read_click(&x, &y) != 0 ? .click(x: Int(x), y: Int(y)) : nil
            default: return nil
            }
        }
        switch wc {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let u = Unicode.Scalar(UInt32(wc)) else { return nil }
            return .char(Character(u))
        }
    }
}

extension CursesBackend {
    /// After get_wch returned nothing: the tty hung up or errs, or it keeps reporting bytes that
    /// get_wch cannot read (EOF). A signal or the timeout leaves both checks false.
    private func checkTerminal() {
        if gw_term_gone() != 0 { terminalGone = true; return }
        if gw_term_readable() != 0 {
            emptyReads += 1
            if emptyReads >= 8 { terminalGone = true }
        } else {
            emptyReads = 0
        }
    }
}

public struct ConsoleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
