import Foundation

// Site-local hours and days by integer arithmetic. Foundation's Calendar costs
// microseconds a call; a year of hourly periods or a bulk import calls this
// millions of times, so only the zone's offset comes from Foundation, once per
// stretch between two transitions.

/// The zone's UTC offset at an instant, cached until the zone's next transition.
struct ZoneOffsets {
    let zone: TimeZone
    private var from: Int64 = 1
    private var until: Int64 = 0
    private var offset: Int64 = 0

    init(_ zone: TimeZone) { self.zone = zone }

    /// Milliseconds to add to a UTC instant to get the site's wall clock.
    mutating func offsetMs(at ms: Int64) -> Int64 {
        if ms >= from && ms < until { return offset }
        let date = Date(ms: ms)
        offset = Int64(zone.secondsFromGMT(for: date)) * 1000
        from = ms
        until = zone.nextDaylightSavingTimeTransition(after: date)?.ms ?? .max
        return offset
    }

    /// The local day (days since 1970-01-01 on the site's calendar) holding `ms`.
    mutating func localDay(_ ms: Int64) -> Int64 { floorDiv(ms + offsetMs(at: ms), 86_400_000) }

    /// Absolute start of the local hour holding `ms`.
    mutating func hourStart(_ ms: Int64) -> Int64 { ms - floorMod(ms + offsetMs(at: ms), 3_600_000) }

    /// Absolute instant of local midnight starting local day `day`.
    mutating func midnight(day: Int64) -> Int64 {
        let wall = day * 86_400_000
        // Guess with the offset 14 h before (no zone is further ahead), then correct
        // once; both look-ups move forward, so walking days keeps the cache warm.
        let guess = wall - offsetMs(at: wall - 50_400_000)
        return wall - offsetMs(at: guess)
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

extension LocalDate {
    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    public var dayNumber: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month), d = Int64(day)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(dayNumber: Int64) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), month: Int(m), day: Int(d))
    }
}

/// The periods of a report: absolute starts (hours step by 3600 s, so a DST day
/// has 23 or 25), their site-local labels, and the local days they cover.
struct ReportPeriods {
    let by: ReportPeriod
    let firstDay: Int64
    let lastDay: Int64
    private(set) var startsMs: [Int64] = []
    private var wallMs: [Int64] = []
    let endMs: Int64
    var count: Int { startsMs.count }

    init(_ by: ReportPeriod, from: LocalDate, to: LocalDate, zone: TimeZone) {
        self.by = by
        var offsets = ZoneOffsets(zone)
        firstDay = from.dayNumber
        lastDay = to.dayNumber
        let start = offsets.midnight(day: firstDay)
        if by == .day {
            startsMs = (firstDay...lastDay).map { offsets.midnight(day: $0) }
        } else {
            let end = offsets.midnight(day: lastDay + 1)
            startsMs = Array(stride(from: start, to: end, by: Int(by.lengthMs)))
        }
        endMs = offsets.midnight(day: lastDay + 1)
        wallMs = startsMs.map { $0 + offsets.offsetMs(at: $0) }
    }

    /// The last period starting at or before `ms` (-1 before the first).
    func index(ofInstant ms: Int64) -> Int {
        var lo = 0, hi = startsMs.count
        while lo < hi { let mid = (lo + hi) / 2; if startsMs[mid] <= ms { lo = mid + 1 } else { hi = mid } }
        return lo - 1
    }

    /// A rollup row whose `period` is an absolute start, placed in the report's period holding it.
    func indexed(_ c: PeriodFeedCount) -> PeriodFeedCount {
        var placed = c
        placed.period = Int64(index(ofInstant: c.period))
        return placed
    }

    /// `2026-11-23` for days, `2026-11-23 07:00` for hours (site-local).
    func label(_ i: Int) -> String {
        let wall = wallMs[i]
        let date = LocalDate(dayNumber: floorDiv(wall, 86_400_000)).description
        if by == .day { return date }
        let minutes = floorMod(wall, 86_400_000) / 60_000
        return date + " " + twoDigits(minutes / 60) + ":" + twoDigits(minutes % 60)
    }
}

func twoDigits(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
