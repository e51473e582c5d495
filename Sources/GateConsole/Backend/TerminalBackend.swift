/// What the console's loop needs from a terminal: its size and capabilities, drawing a whole
/// Grid, and keys with a timeout. CursesBackend is the real terminal; the unit tests drive the
/// same loop with a scripted backend (keys in, grids out), so no tmux is needed below the
/// end-to-end layer.
protocol TerminalBackend: AnyObject {
    /// Columns and rows now (changes after a `.resize` key).
    var size: (w: Int, h: Int) { get }
    /// Whether the terminal shows UTF-8; false: every frame is drawn in ASCII.
    var utf8: Bool { get }
    /// Why text is drawn in ASCII, when the locale decided it (said once in the footer).
    var asciiReason: AsciiReason? { get }
    /// The first SIGINT/SIGTERM/SIGHUP received (Ctrl-C arrives as SIGINT), or 0.
    var stopSignal: Int32 { get }
    /// How pictures are drawn on this terminal (set by `apply`).
    var pictureColors: PictureColors { get }
    /// The terminal went away (SSH dropped, tmux session killed): the loop must end.
    var terminalGone: Bool { get }

    /// Maps the theme's roles to what the terminal can show (the monochrome theme when it has no colours).
    func apply(theme: Theme, monochrome: Theme)
    /// Forgets what is on screen (after a resize or theme change) so the next draw is complete.
    func invalidate()
    func draw(_ grid: Grid)
    /// Mouse clicks reported as keys (on only while the line editor is open).
    func setMouse(_ on: Bool)
    /// Waits up to `timeoutMs` for a key; nil on timeout, on a signal, or when the terminal is gone.
    func readKey(timeoutMs: Int32) -> Key?
}
