import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CSV (RFC 4180: CRLF line ends, fields with comma, quote, CR or LF quoted,
/// quotes doubled) and JSON for reports and other tables.
public enum Export {
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func csv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    public static let reportHeader = ["period", "start_utc", "gate_id", "gate_name", "in", "out", "net"]

    /// One line per row; a site-wide report leaves the gate columns empty.
    public static func csv(_ report: Report) -> String {
        csv(header: reportHeader, rows: report.rows.map { r in
            [r.period, iso8601(r.startMs), r.gateId ?? "", r.gateName ?? "", String(r.ins), String(r.outs), String(r.net)]
        })
    }

    /// `{"by":"hour","from":"…","to":"…","time_zone":"…","per_gate":false,
    ///   "total_in":N,"total_out":N,"rows":[{"period":…,"start_utc":…,"start_ms":…,"end_ms":…,"gate_id":…,"gate_name":…,"in":N,"out":N,"net":N}]}`
    public static func json(_ report: Report, pretty: Bool = false) -> String {
        struct Row: Encodable {
            var period: String, start_utc: String, start_ms: Int64, end_ms: Int64
            var gate_id: String?, gate_name: String?
            var `in`: Int, out: Int, net: Int
        }
        struct Doc: Encodable {
            var by: String, from: String, to: String, time_zone: String, per_gate: Bool
            var total_in: Int, total_out: Int, rows: [Row]
        }
        let doc = Doc(by: report.by.rawValue, from: report.from.description, to: report.to.description,
                      time_zone: report.timeZone, per_gate: report.perGate,
                      total_in: report.totalIn, total_out: report.totalOut,
                      rows: report.rows.map {
                          Row(period: $0.period, start_utc: iso8601($0.startMs), start_ms: $0.startMs, end_ms: $0.endMs,
                              gate_id: $0.gateId, gate_name: $0.gateName, in: $0.ins, out: $0.outs, net: $0.net)
                      })
        return encode(doc, pretty: pretty)
    }

    /// Any Encodable value (e.g. `[AlertRow]`, `TodayCounts`) as JSON with sorted keys.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Only non-finite doubles can fail; write them as strings instead of failing the export.
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? enc.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `2026-11-23T00:00:00Z`
    public static func iso8601(_ ms: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(ms: ms))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Writes an export atomically (temporary file, then rename), never readable by others
    /// even for a moment. Exports hold visitor statistics, so a new file is created 0600
    /// whatever the umask; a file that already exists keeps the mode its owner gave it,
    /// unless `keepExistingMode` is false (settings: always 0600). Throws `ExportError`.
    public static func writeFile(_ text: String, to path: String, keepExistingMode: Bool = true) throws {
        try writeFile(bytes: Array(text.utf8), to: path, keepExistingMode: keepExistingMode)
    }

    /// The same for bytes (a snapshot, a report's pictures).
    public static func writeFile(bytes: [UInt8], to path: String, keepExistingMode: Bool = true) throws {
        let dir = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var st = stat()
        let mode: mode_t = keepExistingMode && stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o600
        var template = Array((dir + "/.gatewatch-export-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ExportError(path: path, errno: errno) }
        let tmp = String(cString: template)
        var ok = fchmod(fd, mode) == 0
        var written = 0
        while ok && written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false } else { written += n }
        }
        let err = errno
        ok = ok && fsync(fd) == 0
        Glibc.close(fd)
        if ok && rename(tmp, path) == 0 { return }
        let failure = ok ? errno : err
        unlink(tmp)
        throw ExportError(path: path, errno: failure)
    }
}

/// One line: which file, why (the system's reason), what to do.
public struct ExportError: Error, Equatable, CustomStringConvertible {
    public let path: String
    /// The system's reason (errno).
    public let code: Int32
    init(path: String, errno: Int32) { self.path = path; self.code = errno }
    public var description: String {
        let why: String
        switch code {
        case EACCES, EPERM: why = "this user may not write there"
        case ENOENT: why = "the folder does not exist"
        case ENOSPC: why = "the disk is full"
        case EROFS: why = "the file system is read-only"
        case EISDIR: why = "it is a directory"
        default: why = String(cString: strerror(code))
        }
        return "cannot write \(path): \(why); choose another path (-o FILE) or fix the folder"
    }
}
