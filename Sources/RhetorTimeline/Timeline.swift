/// The three scores a timeline can follow.
public enum Metric: String, Sendable, CaseIterable {
    case hostility, certainty, valence
}

/// One scored, dated quote as the timeline sees it.
public struct Observation: Sendable, Equatable {
    public var speaker: String
    public var date: PlainDate
    public var value: Double
    /// Length of the quote in characters (for length weighting).
    public var length: Int

    public init(speaker: String, date: PlainDate, value: Double, length: Int) {
        self.speaker = speaker
        self.date = date
        self.value = value
        self.length = length
    }
}

/// One speaker's statistics in one period.
public struct TimelinePoint: Sendable, Equatable {
    public var speaker: String
    public var period: String
    public var periodIndex: Int
    public var start: PlainDate
    public var moments: Moments
    public var n: Int { Int(moments.n) }
    public var mean: Double { moments.mean }
    /// 95 % t interval (nil with fewer than 2 quotes).
    public var ci: (low: Double, high: Double)? { moments.confidenceInterval() }

    /// The interval clipped to the score's range (a t interval on few quotes can pass 0 or 1).
    public func ci(for metric: Metric) -> (low: Double, high: Double)? {
        guard let c = ci else { return nil }
        let lo = metric == .valence ? -1.0 : 0.0
        return (max(lo, c.low), min(1, c.high))
    }

    public static func == (a: TimelinePoint, b: TimelinePoint) -> Bool {
        a.speaker == b.speaker && a.periodIndex == b.periodIndex && a.moments == b.moments
    }
}

/// How a timeline is aggregated.
public struct TimelineOptions: Sendable {
    public var period: Period = .month
    /// Each point merges this many periods ending at it (1: no smoothing).
    public var rolling = 1
    /// Points with fewer quotes (after rolling) are left out.
    public var minN = 1
    /// Weight each quote by its length in characters instead of 1.
    public var weightByLength = false

    public init() {}
}

/// Per-speaker, per-period aggregates; mergeable so shards combine exactly.
public struct TimelineAggregate: Sendable, Equatable {
    /// speaker → period index → moments.
    public private(set) var cells: [String: [Int: Moments]] = [:]
    public let period: Period
    public let weightByLength: Bool

    public init(period: Period, weightByLength: Bool) {
        self.period = period
        self.weightByLength = weightByLength
    }

    public mutating func add(_ o: Observation) {
        cells[o.speaker, default: [:]][period.index(of: o.date), default: Moments()].add(o.value, weight: weightByLength ? Int64(max(1, o.length)) : 1)
    }

    public mutating func add<S: Sequence>(_ observations: S) where S.Element == Observation {
        for o in observations { add(o) }
    }

    /// The aggregate of two disjoint shards.
    public func merged(with other: TimelineAggregate) -> TimelineAggregate {
        precondition(period == other.period && weightByLength == other.weightByLength)
        var out = self
        for (speaker, periods) in other.cells {
            for (i, m) in periods { out.cells[speaker, default: [:]][i] = (out.cells[speaker]?[i] ?? Moments()).merged(with: m) }
        }
        return out
    }

    /// The points, speakers in `order` (others by name), periods in time order.
    public func points(rolling: Int = 1, minN: Int = 1, order: [String] = []) -> [TimelinePoint] {
        let speakers = cells.keys.sorted { a, b in
            let ia = order.firstIndex(of: a) ?? Int.max, ib = order.firstIndex(of: b) ?? Int.max
            return ia != ib ? ia < ib : a < b
        }
        var out: [TimelinePoint] = []
        for s in speakers {
            guard let periods = cells[s], let lo = periods.keys.min(), let hi = periods.keys.max() else { continue }
            for i in lo...hi {
                var m = Moments()
                for j in (i - max(1, rolling) + 1)...i { if let c = periods[j] { m = m.merged(with: c) } }
                guard m.n >= max(1, minN), rolling > 1 || periods[i] != nil else { continue }
                out.append(TimelinePoint(speaker: s, period: period.label(of: i), periodIndex: i, start: period.start(of: i), moments: m))
            }
        }
        return out
    }
}
