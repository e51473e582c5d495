import Foundation
import GateCore

/// Every word the console shows, Vietnamese first.
public struct Strings: Sendable {
    public let lang: Language
    public init(_ lang: Language) { self.lang = lang }
    func p(_ vi: String, _ en: String) -> String { lang == .vi ? vi : en }
    func p_(_ vi: String, _ en: String) -> String { p(vi, en) }

    public var screenNames: [String] {
        [p("Tổng quan", "Overview"), p("Cổng", "Gate"), p("Cảnh báo", "Alerts"),
         p("Lịch sử", "History"), p("Kiểm thử", "Tests"), p("Sức khỏe", "Health")]
    }
    var occupancy: String { p("Số người trong khu", "Occupancy") }
    var capacity: String { p("sức chứa", "capacity") }
    var inToday: String { p("Vào hôm nay", "In today") }
    var outToday: String { p("Ra hôm nay", "Out today") }
    func correctedAt<T: StringProtocol>(_ time: T, by who: String) -> String {
        p("số người chỉnh lúc \(time) bởi \(who)", "head count set at \(time) by \(who)")
    }
    var correctPromptCount: String { p("Số người đang ở trong khu (đếm tay)", "People inside now (counted by hand)") }
    var correctPromptNote: String { p("Đếm thế nào (ghi chú)", "How it was counted (note)") }
    var correctPromptName: String { p("Người chỉnh", "Set by") }
    func correctBadCount(_ text: String) -> String {
        p("'\(text)' không phải số người; nhập một số nguyên từ 0", "'\(text)' is not a head count; type a whole number from 0")
    }
    func corrected(_ previous: Int, _ count: Int) -> String {
        p("Đã đặt số người trong khu: \(previous) → \(count)", "Occupancy set: \(previous) → \(count)")
    }
    func correctFailed(_ e: String) -> String { p("Không chỉnh được số người: \(e)", "Could not set the head count: \(e)") }
    var gates: String { p("Các cổng", "Gates") }
    var gate: String { p("Cổng", "Gate") }
    var ins: String { p("Vào", "In") }
    var outs: String { p("Ra", "Out") }
    var net: String { p("Chênh", "Net") }
    /// A span in the column's few characters: `45 giây` / `45 s`, `12 phút` / `12 min`, `3 giờ` / `3 h`, `2 ngày` / `2 d`.
    func shortSpan(_ ms: Int64) -> String {
        let s = max(0, ms / 1000)
        return s < 120 ? p("\(s) giây", "\(s) s") : s < 7200 ? p("\(s / 60) phút", "\(s / 60) min")
            : s < 172_800 ? p("\(s / 3600) giờ", "\(s / 3600) h") : p("\(s / 86_400) ngày", "\(s / 86_400) d")
    }

    var lastHour: String { p("Vào/phút, 60'", "In/min, 60 min") }
    var heartbeat: String { p("Nhịp tim", "Heartbeat") }
    var feeds: String { p("Camera", "Feeds") }
    var feed: String { p("Camera", "Feed") }
    var newestAlerts: String { p("Cảnh báo mới nhất", "Newest alerts") }
    /// A filter that leaves a list empty says so (not "no alerts").
    func noMatch(_ filter: String) -> String { p("Không có mục nào khớp '\(filter)'", "Nothing matches '\(filter)'") }
    var noAlerts: String { p("Không có cảnh báo.", "No alerts.") }
    var noGates: String { p("Chưa có cổng nào được cấu hình.", "No gates configured yet.") }
    var noSite: String { p("Chưa có khu điểm (pipeline chưa chạy lần nào).", "No site yet (the pipeline has not run).") }
    var latestCrossings: String { p("Lượt qua gần nhất", "Latest crossings") }
    var noCrossings: String { p("Chưa có lượt qua nào.", "No crossings yet.") }
    var hourlyToday: String { p("Theo giờ hôm nay", "Hourly today") }
    var time: String { p("Giờ", "Time") }
    var line: String { p("Vạch", "Line") }
    var direction: String { p("Hướng", "Dir") }
    var track: String { p("Vệt", "Track") }
    var state: String { p("Trạng thái", "State") }
    var fps: String { "fps" }
    var severity: String { p("Mức", "Severity") }
    var age: String { p("Tuổi", "Age") }
    var kind: String { p("Loại", "Kind") }
    var subject: String { p("Đối tượng", "Subject") }
    var message: String { p("Nội dung", "Message") }
    var ackBy: String { p("Xác nhận bởi", "Acknowledged by") }
    var note: String { p("Ghi chú", "Note") }
    var alertCount: String { p("cảnh báo", "alerts") }
    var hour: String { p("Giờ", "Hour") }
    var date: String { p("Ngày", "Date") }
    var hourlyFor: String { p("Theo giờ ngày", "Hourly for") }
    var daily: String { p("Theo ngày", "Daily") }
    var total: String { p("Tổng", "Total") }
    var noRuns: String { p("Chưa có lần kiểm thử nào. Chạy: gatewatch test SUITE --db FILE", "No acceptance runs yet. Run: gatewatch test SUITE --db FILE") }
    var runs: String { p("Các lần chạy", "Runs") }
    var suite: String { p("Bộ kiểm thử", "Suite") }
    var started: String { p("Bắt đầu", "Started") }
    var verdict: String { p("Kết quả", "Verdict") }
    var passedFailed: String { p("Đạt/Trượt", "Pass/Fail") }
    var scenario: String { p("Kịch bản", "Scenario") }
    var expected: String { p("Kỳ vọng", "Expected") }
    var counted: String { p("Đếm được", "Counted") }
    var results: String { p("Kết quả từng kịch bản", "Scenario results") }
    var noResults: String { p("Chưa có kết quả.", "No results yet.") }
    var dropped: String { p("Rơi", "Drop") }
    var reconnects: String { p("Nối lại", "Reconn") }
    var lastFrame: String { p("Khung cuối", "Last frame") }
    var queue: String { p("Hàng", "Queue") }
    var msPerStage: String { p("ms giải/dò/bám", "ms dec/det/trk") }
    var database: String { p("Cơ sở dữ liệu", "Database") }
    var size: String { p("Dung lượng", "Size") }
    var writeLatency: String { p("Độ trễ ghi", "Write latency") }
    var uptime: String { p("Thời gian chạy", "Uptime") }
    var version: String { p("Phiên bản", "Version") }
    var pipeline: String { p("Bộ xử lý", "Pipeline") }
    var consoleVersion: String { p("Bảng điều khiển", "Console") }
    var fpsLastHour: String { p("fps 60 phút qua", "fps last hour") }
    var error: String { p("Lỗi", "Error") }
    var filter: String { p("Lọc", "Filter") }
    var help: String { p("Trợ giúp — phím", "Help — keys") }
    var pressAnyKey: String { p("Nhấn phím bất kỳ để đóng", "Press any key to close") }
    var tooSmall: String { p("Cửa sổ quá nhỏ", "Window too small") }
    func tooSmallDetail(_ w: Int, _ h: Int) -> String {
        p("cần ít nhất 80x24, hiện là \(w)x\(h)", "need at least 80x24, now \(w)x\(h)")
    }
    var quitHint: String { p("q: thoát", "q: quit") }
    // The province view (`console --hub`).
    func provinceTitle(_ n: Int) -> String { p("Toàn tỉnh · \(n) khu", "Province · \(n) site\(n == 1 ? "" : "s")") }
    var noSitesAtHub: String { p("Máy chủ tỉnh chưa có khu nào (gatewatch hub site add)", "No sites at the hub yet (gatewatch hub site add)") }
    var siteColumn: String { p("Khu", "Site") }
    var insideOfCapacity: String { p("Trong/sức chứa", "Inside/cap.") }
    var inOutToday: String { p("Vào/ra", "In/out") }
    var alertsColumn: String { p("C.báo", "Alerts") }
    var feedsDownColumn: String { p("Mất cam", "Cams off") }
    var syncBehind: String { p("Chậm", "Behind") }
    var attentionColumn: String { p("Cần chú ý", "Attention") }
    var revokedSite: String { p("khoá đã thu hồi", "key revoked") }
    var provinceHint: String { p("↑↓ chọn · Enter mở khu · p quay lại danh sách tỉnh", "↑↓ select · Enter opens a site · p back to the province") }
    var provinceOnly: String { p("Chỉ có ở chế độ toàn tỉnh (console --hub)", "Only in the province view (console --hub)") }
    var keysHint: String { p("1-6 Tab màn hình · ? phím · q thoát", "1-6 Tab screens · ? keys · q quit") }
    var ackPromptNote: String { p("Ghi chú xác nhận", "Acknowledge note") }
    var ackPromptName: String { p("Người xác nhận", "Acknowledged by") }
    func acked(_ id: Int64) -> String { p("Đã xác nhận cảnh báo #\(id)", "Alert #\(id) acknowledged") }
    func notAcked(_ id: Int64) -> String { p("Cảnh báo #\(id) không còn mở", "Alert #\(id) is no longer open") }
    func ackFailed(_ e: String) -> String { p("Không xác nhận được: \(e)", "Could not acknowledge: \(e)") }
    func exported(_ path: String) -> String { p("Đã xuất CSV: \(path)", "CSV exported: \(path)") }
    func exportFailed(_ e: String) -> String { p("Không xuất được CSV: \(e)", "CSV export failed: \(e)") }
    var exportTo: String { p("Xuất CSV vào (…-hourly.csv, …-daily.csv; Enter, Esc hủy)", "Export CSV to (…-hourly.csv, …-daily.csv; Enter, Esc cancels)") }
    func exportFileFailed(_ path: String, _ why: String) -> String { p("Không ghi được \(path): \(why)", "Cannot write \(path): \(why)") }
    func themeSet(_ n: String) -> String { p("Giao diện: \(n)", "Theme: \(n)") }

    func problem(_ p: SourceProblem) -> String {
        switch p {
        case .missing(let path): return self.p("Không thấy cơ sở dữ liệu \(path) — đang thử lại", "Database \(path) not found — retrying")
        case .locked(let m): return self.p("Cơ sở dữ liệu đang bị khóa (\(m)) — đang thử lại", "Database locked (\(m)) — retrying")
        case .corrupt(let m): return self.p("Cơ sở dữ liệu hỏng hoặc không phải SQLite (\(m)) — đang thử lại", "Database corrupt or not SQLite (\(m)) — retrying")
        case .notInitialised(let m): return self.p("Cơ sở dữ liệu chưa có lược đồ GateWatch (\(m)) — đang thử lại", "Database has no GateWatch schema yet (\(m)) — retrying")
        case .unreadable(let m): return self.p("Người dùng này không đọc được cơ sở dữ liệu (\(m)) — đang thử lại", "This user cannot read the database (\(m)) — retrying")
        case .notAFile(let path): return self.p("\(path) là thư mục, không phải tệp cơ sở dữ liệu — hãy cho đường dẫn tệp, ví dụ \(path)/gatewatch.sqlite", "\(path) is a directory, not a database file — give a file path such as \(path)/gatewatch.sqlite")
        case .newer(let path): return self.p("Cơ sở dữ liệu \(path) do GateWatch mới hơn ghi — hãy nâng cấp chương trình này", "Database \(path) was written by a newer GateWatch — upgrade this program")
        case .other(let m): return self.p("Lỗi cơ sở dữ liệu: \(m) — đang thử lại", "Database error: \(m) — retrying")
        case .hubAsking(let site):
            return site.map { self.p("Đang hỏi máy chủ tỉnh về \($0)…", "Asking the province hub for \($0)…") }
                ?? self.p("Đang hỏi máy chủ tỉnh…", "Asking the province hub…")
        case .hubUnreachable(let url, let why):
            return self.p("Không kết nối được máy chủ tỉnh \(url) (\(why)) — kiểm tra --hub và mạng; đang thử lại",
                          "Cannot reach the province hub at \(url) (\(why)) — check --hub and the network; retrying")
        case .hubAnswered(let url, let what):
            return self.p("Máy chủ tỉnh \(url) trả lời: \(what) — đang thử lại", "The province hub at \(url) answered: \(what) — retrying")
        }
    }
    func pipelineStopped(_ ago: String) -> String {
        p("Bộ xử lý đã dừng (nhịp cuối \(ago) trước) — số liệu có thể cũ", "Pipeline stopped (last heartbeat \(ago) ago) — data may be stale")
    }
    var pipelineNeverRan: String { p("Bộ xử lý chưa chạy — chưa có nhịp tim", "Pipeline not running — no heartbeat yet") }
    // Words that used to be English in both languages.
    var machine: String { p("Máy", "Machine") }
    var capProc: String { p("thu/xử lý", "cap/proc") }
    var detMs: String { p("ms dò", "det ms") }
    var sourceLabel: String { p("Nguồn", "Source") }
    var detectorLabel: String { p("Bộ dò", "Detector") }
    var runsPerSecond: String { p("lần dò/s", "runs/s") }
    func cadence(_ word: String) -> String { Words.cadence(word, lang) }
    func detectRegion(_ mode: String, _ rect: GateCore.Rect?) -> String { Words.detectRegion(mode: mode, rect: rect, lang) }
    var expectedFps: String { p("fps yêu cầu", "expected fps") }
    var frames: String { p("Khung hình", "Frames") }
    var noData: String { p("chưa có số liệu", "no data yet") }
    func pipelineState(_ s: String) -> String {
        switch s {
        case "running": return p("đang chạy", "running")
        case "stopped": return p("đã dừng", "stopped")
        case "starting": return p("đang khởi động", "starting")
        case "stopping": return p("đang dừng", "stopping")
        case "crashed", "failed": return p("đã lỗi", "failed")
        default: return s
        }
    }
    /// The built-in themes by id; a theme file of the site's own keeps its name.
    func themeName(_ id: String, fallback: String) -> String {
        switch id {
        case "default": return p("tối", "dark")
        case "light": return p("sáng", "light")
        case "high-contrast": return p("tương phản cao", "high contrast")
        case "monochrome": return p("đơn sắc", "monochrome")
        default: return fallback
        }
    }
    func cannotCloseRun(_ id: Int64, _ db: String) -> String {
        p("Không đóng được lần chạy \(id) đã hủy trong \(db); kiểm tra quyền ghi", "Cannot close cancelled run \(id) in \(db); check it is writable")
    }
    /// Said once in the footer when the console falls back to ASCII.
    func asciiBecause(_ why: AsciiReason) -> String {
        switch why {
        case .localeMissing(let name):
            return p("Không có locale \(name) trên máy này: hiện chữ không dấu. Cài: locale-gen \(name) (hoặc dùng C.UTF-8)",
                     "Locale \(name) is not installed here: text shown without marks. Install it: locale-gen \(name) (or use C.UTF-8)")
        case .notUTF8(let name):
            return p("Locale \(name) không phải UTF-8: hiện chữ không dấu. Đặt LANG=vi_VN.UTF-8 hoặc C.UTF-8",
                     "Locale \(name) is not UTF-8: text shown without marks. Set LANG=vi_VN.UTF-8 or C.UTF-8")
        }
    }
    var notSortable: String { p("Màn hình này không sắp xếp được (s: Tổng quan, Cảnh báo, Sức khỏe).", "This screen has no sort (s works on Overview, Alerts, Health).") }
    // Remembered settings.
    func settingsProblem(_ e: SettingsProblem) -> String {
        let tail = p("bỏ qua tệp cài đặt (t hoặc L ghi lại tệp mới)", "settings file ignored (t or L writes a new one)")
        switch e {
        case .unreadable(let f): return "\(f): " + p("không đọc được", "cannot be read") + "; " + tail
        case .badLine(let f, let n): return "\(f):\(n): " + p("dòng không có dạng khóa = giá trị", "line is not key = value") + "; " + tail
        case .unknownKey(let f, let n, let k): return "\(f):\(n): " + p("khóa lạ '\(k)' (chỉ có theme, language)", "unknown key '\(k)' (only theme, language)") + "; " + tail
        case .badValue(let f, let n, let k): return "\(f):\(n): " + p("giá trị sai cho \(k) (language: vi hoặc en)", "bad value for \(k) (language: vi or en)") + "; " + tail
        }
    }
    func savedThemeGone(_ t: String) -> String {
        p("Không còn giao diện đã lưu '\(t)'; dùng giao diện mặc định", "The remembered theme '\(t)' is gone; using the default theme")
    }
    func settingsNotSaved(_ path: String, _ why: String) -> String {
        p("Không lưu được cài đặt vào \(path): \(why)", "Settings not saved to \(path): \(why)")
    }
    /// A short reason for a file that cannot be written, in the console's language.
    func fileError(_ e: Int32) -> String {
        switch e {
        case EACCES, EPERM: return p("không có quyền ghi", "permission denied")
        case ENOENT: return p("thư mục không tồn tại", "no such folder")
        case ENOTDIR: return p("một phần của đường dẫn không phải thư mục", "a part of the path is not a folder")
        case EISDIR: return p("đó là một thư mục", "that is a folder")
        case ENOSPC, EDQUOT: return p("hết chỗ trên đĩa", "disk full")
        case EROFS: return p("ổ đĩa chỉ đọc", "read-only file system")
        case ENAMETOOLONG: return p("đường dẫn quá dài", "path too long")
        default: return p("lỗi hệ thống \(e)", "system error \(e)")
        }
    }
    var dbOK: String { p("CSDL", "DB") }
    var hubWord: String { p("Máy chủ tỉnh", "Hub") }
    var live: String { Words.feedState(.live, lang) }
    var stoppedWord: String { p("dừng", "stopped") }

    // The words for states: GateCore's one vocabulary (also `status` and the reports).
    func feedState(_ s: FeedDisplayState) -> String { Words.feedState(s, lang) }
    func severityName(_ s: String) -> String { Words.severity(s, lang) }
    func alertState(_ s: String) -> String { Words.alertState(s, lang) }
    func alertKind(_ s: String) -> String { Words.alertKind(s, lang) }
    func verdictName(_ s: String) -> String { Words.testVerdict(s, lang) }
    // Tests screen: suites and running them.
    var suitesHeading: String { p("Bộ kịch bản  (r: chạy · x: hủy · Enter: mở)", "Suites  (r: run · x: cancel · Enter: open)") }
    var noRunsOfSuite: String { p("Bộ này chưa chạy lần nào; r để chạy.", "This suite has not run yet; r runs it.") }
    var suiteFolder: String { p("Thư mục", "Folder") }
    var scenarioCount: String { p("Kịch bản", "Scenarios") }
    var noSuites: String { p("Không thấy bộ kịch bản nào. Thêm: gatewatch console --suites THƯ_MỤC", "No suites found. Add one: gatewatch console --suites DIR") }
    var declined: String { p("Đã bỏ qua.", "Not done.") }
    var pickSuite: String { p("Chọn một bộ kịch bản (danh sách trên) rồi bấm r.", "Select a suite (the upper list), then press r.") }
    var nothingToCancel: String { p("Không có lần chạy nào đang chạy.", "No suite is running.") }
    func alreadyRunning(_ suite: String) -> String { p("Đang chạy \(suite); x để hủy trước.", "Already running \(suite); x cancels it first.") }
    func confirmRun(_ name: String, _ n: Int) -> String {
        p("Chạy bộ \(name) (\(n) kịch bản, mất vài phút)? y/n", "Run suite \(name) (\(n) scenarios, takes minutes)? y/n")
    }
    func suiteProblem(_ p: SuiteProblem) -> String {
        switch p {
        case .missing: return p_("không thấy thư mục; cho một thư mục chứa tệp .yaml", "not found; give a folder of scenario .yaml files")
        case .unreadable: return p_("không đọc được thư mục; kiểm tra quyền", "cannot list the folder; check its permissions")
        case .empty: return p_("không có tệp kịch bản (*.yaml); thêm một tệp (xem samples/acceptance)", "no scenario files (*.yaml); add one (see samples/acceptance)")
        }
    }
    func runFailure(_ f: RunFailure) -> String {
        switch f {
        case .logNotCreated(let e): return p("không tạo được tệp nhật ký (\(e)); kiểm tra quyền ghi thư mục CSDL", "cannot create the log (\(e)); check the database folder is writable")
        case .cannotStart(let exe, let e): return p("không khởi động được \(exe): \(e)", "cannot start \(exe): \(e)")
        case .exited(let c): return p("gatewatch test thoát với mã \(c) mà chưa kết thúc lần chạy; xem nhật ký", "gatewatch test exited with status \(c) without finishing its run; see the log")
        case .killed(let sig): return p("gatewatch test bị dừng bởi tín hiệu \(sig) mà chưa kết thúc lần chạy; xem nhật ký", "gatewatch test was killed by signal \(sig) without finishing its run; see the log")
        }
    }
    var confirmCancel: String { p("Hủy lần chạy đang chạy? y/n", "Cancel the running suite? y/n") }
    var runningWord: String { p("Đang chạy", "Running") }
    var finishedWord: String { p("Xong", "Finished") }
    var cancelledWord: String { p("Đã hủy", "Cancelled") }
    var failedWord: String { p("Không chạy được", "Run failed") }
    func scenarioOf(_ n: Int, _ total: Int) -> String { p("kịch bản \(n)/\(total)", "scenario \(n)/\(total)") }
    func doneOf(_ n: Int, _ total: Int) -> String { p("\(n)/\(total) xong", "\(n)/\(total) done") }
    var waitingForRun: String { p("đang khởi động…", "starting…") }
    var report: String { p("Biên bản", "Report") }
    var log: String { p("Nhật ký", "Log") }
    var reportUnknown: String { p("— (không do bảng điều khiển này chạy)", "— (not started from this console)") }
    var errorCol: String { p("Sai số", "Error") }
    var detailCol: String { p("Chi tiết", "Detail") }
    var speed: String { p("Tốc độ", "Speed") }
    func cancelled(_ suite: String) -> String { p("Đã hủy lần chạy \(suite).", "Cancelled the run of \(suite).") }
    func started(_ suite: String, _ log: String) -> String { p("Đã bắt đầu \(suite); nhật ký: \(log)", "Started \(suite); log: \(log)") }

    func dirName(_ d: Int) -> String { d > 0 ? p("vào", "in") : p("ra", "out") }

    /// Key help, one (keys, meaning) pair per line.
    var helpLines: [(String, String)] {
        [("1 … 6", p("chọn màn hình", "pick a screen")),
         ("Tab / Shift-Tab", p("màn hình kế / trước", "next / previous screen")),
         ("↑ ↓  j k", p("di chuyển trong danh sách", "move in lists")),
         ("PgUp PgDn Home End", p("cuộn trang, đầu, cuối", "page, first, last")),
         ("← →  h l", p("cổng trước/sau, ngày trước/sau", "previous/next gate or day")),
         ("Enter  p", p("mở mục đang chọn · p: về danh sách toàn tỉnh", "open the selected item · p: back to the province")),
         ("/", p("lọc danh sách (Esc xóa)", "filter the list (Esc clears)")),
         ("a", p("xác nhận cảnh báo (kèm ghi chú)", "acknowledge alert (with a note)")),
         ("o", p("chỉnh số người trong khu theo đếm tay (Tổng quan)", "set the head count after a count by hand (Overview)")),
         ("s", p("đổi cột sắp xếp (Tổng quan, Cảnh báo, Sức khỏe)", "cycle the sort column (Overview, Alerts, Health)")),
         ("e", p("xuất lịch sử ra CSV (Lịch sử) · sửa vạch đếm (Cổng)", "export history as CSV (History) · edit the counting lines (Gate)")),
         ("f", p("camera kế tiếp của cổng (Cổng)", "the gate's next camera (Gate)")),
         ("r  x", p("chạy bộ kịch bản (y/n) · hủy", "run the selected suite (y/n) · cancel")),
         ("t", p("đổi giao diện màu", "cycle colour theme")),
         ("L", p("đổi ngôn ngữ Việt/Anh", "switch Vietnamese/English")),
         ("?", p("trợ giúp này", "this help")),
         ("q  Ctrl-C", p("thoát", "quit"))]
    }
}

// MARK: - The picture and the line editor (Gate screen)

extension Strings {
    var picture: String { p("Hình ảnh", "Picture") }
    var waitingForPicture: String { p("Đang chờ hình từ bộ chạy…", "Waiting for a picture from the runner…") }
    var noPreviewChannel: String {
        p("Không có hình: bộ chạy (gatewatch run) chưa chạy trên cơ sở dữ liệu này, hoặc chạy bằng người dùng khác",
          "No picture: the runner (gatewatch run) is not running on this database, or runs as another user")
    }
    var lineCountsSince: String { p("Theo vạch, từ", "Per line, since") }
    var feedKeyHint: String { p("f camera kế · e sửa vạch", "f next camera · e edit lines") }
    var noFeedToEdit: String { p("Cổng này không có camera để sửa vạch", "This gate has no camera whose lines could be edited") }
    var noSiteFile: String {
        p("Không biết tệp cấu hình của khu (bộ chạy chưa ghi); chạy gatewatch run --config TỆP",
          "The site file is not known (the runner has not recorded it); run gatewatch run --config FILE")
    }
    var editorHint: String {
        p("Sửa vạch: Tab vạch kế · Space/a/b đầu mút · ←↑↓→ di chuyển (Shift hoặc HJKL: bước nhỏ) · i đổi phía vào · n thêm · d xóa · s lưu · Esc thoát",
          "Edit lines: Tab next line · Space/a/b end · ←↑↓→ move (Shift or HJKL: fine) · i flip in-side · n add · d delete · s save · Esc leave")
    }
    var editing: String { p("ĐANG SỬA", "EDITING") }
    var unsaved: String { p("chưa lưu", "not saved") }
    var editDiscarded: String { p("Đã bỏ các thay đổi vạch chưa lưu", "Unsaved line changes discarded") }
    var lastLineStays: String { p("Camera cần ít nhất một vạch đếm; thêm vạch (n) trước khi xóa", "A camera needs at least one counting line; add one (n) before deleting") }
    func linesSaved(_ path: String) -> String {
        p("Đã lưu vạch vào \(path); bộ chạy nạp lại trong vài giây", "Lines saved to \(path); the runner reloads them within seconds")
    }
    func linesNotSaved(_ why: String) -> String { p("Chưa lưu vạch: \(why)", "Lines not saved: \(why)") }
}

/// Why the console draws in ASCII (GATEWATCH_ASCII=1 needs no explanation).
public enum AsciiReason: Equatable, Sendable {
    /// setlocale refused the environment's locale (e.g. vi_VN.UTF-8 not generated).
    case localeMissing(String)
    /// The locale exists but its character set is not UTF-8 (LANG=C, a Latin-1 locale).
    case notUTF8(String)
}

/// Short relative durations: 45s, 12m, 3h, 2d.
func shortAge(_ ms: Int64) -> String {
    let s = max(0, ms / 1000)
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" }
    if s < 86_400 { return "\(s / 3600)h\(s % 3600 / 60 > 0 ? "\(s % 3600 / 60)m" : "")" }
    return "\(s / 86_400)d\(s % 86_400 / 3600 > 0 ? "\(s % 86_400 / 3600)h" : "")"
}

// MARK: - The demo's first start (printed before the console takes the terminal)

extension Strings {
    /// `Preparing the demo (first start only): walkers cut out of vtest.avi  45%  40 s, about 50 s left`
    public func preparingDemo(percent: Int, elapsedSeconds: Int, remainingSeconds: Int?) -> String {
        let left = remainingSeconds.map { p(", còn khoảng \($0) s", ", about \($0) s left") } ?? ""
        return p("Đang chuẩn bị cảnh demo (chỉ lần đầu): cắt người đi bộ từ vtest.avi",
                 "Preparing the demo (first start only): cutting walkers out of vtest.avi")
            + "  \(percent)%  \(elapsedSeconds) s\(left)"
    }
    public func demoPrepared(seconds: Int, cache: String) -> String {
        p("Đã chuẩn bị cảnh demo trong \(seconds) s (lưu ở \(cache); lần sau mở ngay)",
          "Demo prepared in \(seconds) s (kept in \(cache); next start is immediate)")
    }
}

// MARK: - Tests screen: stopped runs, reports on disk, a suite's detail, where suites were looked for

extension Strings {
    /// A run that was stopped before its last scenario (cancelled, Ctrl-C, killed): not a failed count.
    var stoppedRun: String { p("đã dừng", "stopped") }
    var stoppedHead: String { p("Đã dừng", "Stopped") }
    func ranOf(_ k: Int, _ n: Int) -> String { p("\(k)/\(n) kịch bản đã chạy", "\(k) of \(n) scenarios ran") }
    func killedAndClosed(_ suite: String, _ id: Int64) -> String {
        p("\(suite) không dừng sau 5 s nên đã bị buộc dừng (SIGKILL); bảng điều khiển đã đóng lần chạy #\(id) (đã dừng).",
          "\(suite) did not stop within 5 s and was killed (SIGKILL); the console closed run #\(id) as stopped.")
    }
    func killedNoRun(_ suite: String) -> String {
        p("\(suite) không dừng sau 5 s nên đã bị buộc dừng (SIGKILL); chưa có lần chạy nào được lưu.",
          "\(suite) did not stop within 5 s and was killed (SIGKILL); no run had been stored yet.")
    }
    /// The report file is not on disk (never written: the run was stopped, or it was moved).
    func reportNotWritten(_ id: Int64, _ db: String) -> String {
        p("chưa có tệp; viết: gatewatch test report \(id) --db \(db) --report TỆP.md",
          "none on disk; write one: gatewatch test report \(id) --db \(db) --report FILE.md")
    }
    var suiteDetailRun: String { p("r: chạy bộ này (hỏi y/n)", "r: run this suite (asks y/n)") }
    var latestRun: String { p("Lần chạy gần nhất", "Latest run") }
    var scenarioFiles: String { p("Tệp kịch bản", "Scenario files") }
    func noSuitesIn(_ dirs: [String]) -> String {
        dirs.isEmpty ? noSuites
            : p("Không thấy bộ kịch bản nào trong: \(dirs.joined(separator: ", ")). Thêm: gatewatch console --suites THƯ_MỤC (được ghi nhớ)",
                "No suites in: \(dirs.joined(separator: ", ")). Add one: gatewatch console --suites DIR (remembered)")
    }
    func suitesNotRemembered(_ why: String) -> String {
        p("Không ghi nhớ được --suites trong CSDL: \(why)", "Could not remember --suites in the database: \(why)")
    }
}
