import Foundation
import GateCore
import GateStore

/// Times as the API gives them: UTC milliseconds plus ISO 8601 in the site's zone, so a
/// consumer can both compute with a time and show it as the gate staff see it.
package struct SiteClock {
    package let zone: TimeZone
    package let nowMs: Int64
    private let formatter: ISO8601DateFormatter

    package init(zone: TimeZone, nowMs: Int64 = currentTimeMs()) {
        self.zone = zone
        self.nowMs = nowMs
        formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    package func instant(_ ms: Int64) -> Components.Schemas.Instant {
        .init(ms: ms, local: formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
    }

    package var now: Components.Schemas.Instant { instant(nowMs) }
    package var today: LocalDate { LocalDate(ms: nowMs, timeZone: zone) }

    /// A `from`/`to` query value as a site-local day; nil when absent.
    package static func day(_ text: String?, name: String) throws -> LocalDate? {
        guard let text else { return nil }
        guard let day = LocalDate(text) else {
            throw APIProblem.badRange("\(name) '\(text.prefix(40))' is not a date: use YYYY-MM-DD, e.g. 2026-11-30")
        }
        return day
    }

    /// `from` ≤ `to` and no longer than a report of that period may be.
    package static func checkRange(from: LocalDate, to: LocalDate, days limit: NumericLimit, by: String) throws {
        guard from <= to else {
            throw APIProblem.badRange("from \(from) is after to \(to); give the earlier day first")
        }
        let days = to.dayNumber - from.dayNumber + 1
        if let problem = limit.problem(Double(days)) {
            throw APIProblem.badRange("from \(from) to \(to) is \(days) days by \(by); the span \(problem)")
        }
    }

    /// Start of the site-local day `day` (UTC ms).
    package func startMs(of day: LocalDate) -> Int64 {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let date = cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        return Int64((cal.startOfDay(for: date).timeIntervalSince1970 * 1000).rounded())
    }
}

/// The opaque paging cursor of `/v1/crossings`: the last row id given, versioned and
/// base64url-encoded so consumers pass it back unchanged instead of doing arithmetic on it.
package enum CrossingCursor {
    private static let prefix = "c1:"

    package static func encode(lastId: Int64) -> String {
        Data((prefix + String(lastId)).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The row id a cursor stands for; nil for anything this server did not give.
    package static func decode(_ text: String) -> Int64? {
        guard text.count <= 64 else { return nil }
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
        guard let data = Data(base64Encoded: b64), let plain = String(data: data, encoding: .utf8),
              plain.hasPrefix(prefix), let id = Int64(plain.dropFirst(prefix.count)), id >= 0 else { return nil }
        return id
    }
}
