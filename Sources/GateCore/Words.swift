/// The words for GateWatch's states in both languages, in one place: the console, `status`
/// and the reports say a feed, an alert or a check result the same way. A word this version
/// does not know (written by a newer GateWatch) is shown as stored.
public enum Words {
    private static func p(_ lang: Language, _ vi: String, _ en: String) -> String { lang == .vi ? vi : en }

    public static func feedState(_ s: FeedState, _ lang: Language) -> String {
        switch s {
        case .live: return p(lang, "trực tiếp", "live")
        case .stale: return p(lang, "cũ", "stale")
        case .offline: return p(lang, "mất tín hiệu", "offline")
        case .reconnecting: return p(lang, "đang nối lại", "reconnecting")
        case .starting: return p(lang, "đang khởi động", "starting")
        case .ended: return p(lang, "đã hết", "ended")
        case .stopped: return p(lang, "đã dừng", "stopped")
        case .unknown: return p(lang, "không rõ", "unknown")
        }
    }

    /// Where a feed's detector looks: `mode` as configured (full, auto, x1,y1,x2,y2) and the
    /// normalised rectangle it comes to for the feed's lines (nil: the whole picture).
    public static func detectRegion(mode: String, rect: Rect?, _ lang: Language) -> String {
        guard let r = rect else { return p(lang, "toàn khung hình", "whole picture") }
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        let span = "x \(n(r.minX))–\(n(r.maxX)) y \(n(r.minY))–\(n(r.maxY))"
        return mode == "auto" ? p(lang, "quanh vạch ", "around the lines ") + span : p(lang, "vùng ", "region ") + span
    }

    /// How often a feed's detector runs (`cadence`).
    public static func cadence(_ word: String, _ lang: Language) -> String {
        switch CadenceMode(rawValue: word) {
        case .adaptive: return p(lang, "thích ứng", "adaptive")
        case .fixed: return p(lang, "cố định", "fixed")
        case nil: return word
        }
    }

    /// An acceptance result: a scenario's `TestVerdict` or a run's `TestRunVerdict`, by its stored word.
    public static func testVerdict(_ word: String, _ lang: Language) -> String {
        switch word {
        case TestVerdict.pass.rawValue: return p(lang, "ĐẠT", "PASS")
        case TestVerdict.fail.rawValue: return p(lang, "TRƯỢT", "FAIL")  // short: it fits the console's 7-column verdicts
        case TestVerdict.error.rawValue: return p(lang, "LỖI", "ERROR")
        case TestVerdict.knownWeakness.rawValue: return p(lang, "ĐIỂM YẾU ĐÃ BIẾT", "KNOWN WEAKNESS")
        case TestRunVerdict.running.rawValue: return p(lang, "đang chạy", "running")
        default: return word
        }
    }

    /// How full the site is (`CapacityLevel`).
    public static func capacityLevel(_ level: CapacityLevel, _ lang: Language) -> String {
        switch level {
        case .normal: return p(lang, "bình thường", "normal")
        case .warning: return p(lang, "gần đầy", "nearly full")
        case .critical: return p(lang, "quá tải", "over capacity")
        }
    }

    /// Whether the runner writing the database is alive (`PipelineLiveness`).
    public static func liveness(_ l: PipelineLiveness, _ lang: Language) -> String {
        switch l {
        case .running: return p(lang, "đang chạy", "running")
        case .notResponding: return p(lang, "không phản hồi", "not responding")
        case .stopped: return p(lang, "đã dừng", "stopped")
        case .never: return p(lang, "chưa từng chạy", "never run")
        }
    }

    public static func severity(_ word: String, _ lang: Language) -> String {
        switch AlertSeverity(rawValue: word) {
        case .critical: return p(lang, "nghiêm trọng", "critical")
        case .warning: return p(lang, "cảnh báo", "warning")
        case .info: return p(lang, "thông tin", "info")
        case nil: return word
        }
    }

    public static func alertState(_ word: String, _ lang: Language) -> String {
        switch AlertState(rawValue: word) {
        case .open: return p(lang, "mở", "open")
        case .acknowledged: return p(lang, "đã xác nhận", "acked")
        case .resolved: return p(lang, "đã xong", "resolved")
        case nil: return word
        }
    }

    public static func alertKind(_ word: String, _ lang: Language) -> String {
        switch AlertKind(rawValue: word) {
        case .capacity: return p(lang, "quá tải", "capacity")
        case .offline: return p(lang, "mất camera", "offline")
        case .frozen: return p(lang, "hình đứng", "frozen")
        case .lowFps: return p(lang, "fps thấp", "low fps")
        case .covered: return p(lang, "che ống kính", "covered")
        case .moved: return p(lang, "camera lệch", "moved")
        case .surge: return p(lang, "tăng đột biến", "surge")
        case .afterHours: return p(lang, "ngoài giờ", "after hours")
        case .disagreement: return p(lang, "lệch số đếm", "disagreement")
        case .syncLag: return p(lang, "đồng bộ tỉnh chậm", "hub sync behind")
        case nil: return word
        }
    }

    /// A monitoring result (OK, WARNING, CRITICAL, UNKNOWN) for people; `check`'s own line
    /// keeps the plugin words monitoring systems parse.
    public static func checkResult(_ label: String, _ lang: Language) -> String {
        guard lang == .vi else { return label }
        switch label {
        case "OK": return "ỔN"
        case "WARNING": return "CẢNH BÁO"
        case "CRITICAL": return "NGHIÊM TRỌNG"
        case "UNKNOWN": return "KHÔNG RÕ"
        default: return label
        }
    }
}
