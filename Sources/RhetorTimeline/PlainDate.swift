/// A calendar date with no time and no time zone (`YYYY-MM-DD`), as news articles carry them.
public struct PlainDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Parses `YYYY-MM-DD`, or the date part of an ISO 8601 timestamp (`2016-09-12T08:00:00Z`:
    /// the written date is kept, never shifted to another zone). Nil when it is not a real date.
    public init?(_ text: String) {
        let s = Array(text.utf8.prefix(10))
        guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard s[i] >= 0x30, s[i] <= 0x39 else { return nil }
                v = v * 10 + Int(s[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        if text.utf8.count > 10, text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 10)] != UInt8(ascii: "T"),
           text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 10)] != UInt8(ascii: " ") { return nil }
        guard (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y) else { return nil }
        year = y
        month = m
        day = d
    }

    public init(julianDay jd: Int) {
        // Richards' algorithm (Explanatory Supplement to the Astronomical Almanac, 2013, §15.11.3).
        let f = jd + 1401 + (((4 * jd + 274_277) / 146_097) * 3) / 4 - 38
        let e = 4 * f + 3
        let g = (e % 1461) / 4
        let h = 5 * g + 2
        day = (h % 153) / 5 + 1
        month = ((h / 153 + 2) % 12) + 1
        year = e / 1461 - 4716 + (12 + 2 - month) / 12
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The Julian Day Number (proleptic Gregorian calendar), a continuous day count.
    public var julianDay: Int {
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// 0 = Monday ... 6 = Sunday (ISO 8601).
    public var weekday: Int { julianDay % 7 }

    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: PlainDate, b: PlainDate) -> Bool { a.julianDay < b.julianDay }
}

/// Calendar periods for timelines.
public enum Period: String, Sendable, CaseIterable {
    case day, week, month, quarter, year

    /// A continuous index of the period containing `date` (consecutive periods differ by 1).
    /// Weeks start on Monday (ISO 8601).
    public func index(of date: PlainDate) -> Int {
        switch self {
        case .day: date.julianDay
        case .week: (date.julianDay - date.weekday) / 7
        case .month: date.year * 12 + date.month - 1
        case .quarter: date.year * 4 + (date.month - 1) / 3
        case .year: date.year
        }
    }

    /// The first day of the period with index `i`.
    public func start(of i: Int) -> PlainDate {
        switch self {
        case .day: PlainDate(julianDay: i)
        case .week: PlainDate(julianDay: i * 7)
        case .month: PlainDate("\(Self.pad(i / 12, 4))-\(Self.pad(i % 12 + 1, 2))-01")!
        case .quarter: PlainDate("\(Self.pad(i / 4, 4))-\(Self.pad((i % 4) * 3 + 1, 2))-01")!
        case .year: PlainDate("\(Self.pad(i, 4))-01-01")!
        }
    }

    /// The label of the period with index `i`: `2016-09-12` (day, and week by its Monday),
    /// `2016-09`, `2016-Q3`, `2016`.
    public func label(of i: Int) -> String {
        switch self {
        case .day, .week: start(of: i).description
        case .month: "\(Self.pad(i / 12, 4))-\(Self.pad(i % 12 + 1, 2))"
        case .quarter: "\(Self.pad(i / 4, 4))-Q\(i % 4 + 1)"
        case .year: Self.pad(i, 4)
        }
    }

    static func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
}
