import Foundation

/// Self-contained HTML pages with inline SVG charts: no scripts, no external files.
public enum HTMLReport {
    /// Okabe & Ito (2008) colour-blind-safe palette, one colour per speaker.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func fmt(_ v: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", v) }

    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:32px auto;max-width:1000px;color:#222;line-height:1.4}
    h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
    .sub{color:#666;font-size:13px}table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
    th{background:#f6f6f6}td.l,th.l{text-align:left}.q{font-size:13px;margin:6px 0 10px 0}.q blockquote{margin:2px 0 2px 12px;font-style:italic}
    .why{color:#555;font-size:12px}.legend span{display:inline-block;margin-right:16px;font-size:13px}.sw{display:inline-block;width:14px;height:4px;margin-right:5px;vertical-align:middle}
    """

    /// A line chart of per-period means with confidence bands, one series per speaker.
    static func chart(_ series: [(speaker: String, color: String, points: [TimelinePoint])], period: Period, metric: Metric) -> String {
        let w = 920.0, h = 300.0, left = 56.0, right = 40.0, top = 12.0, bottom = 44.0
        let all = series.flatMap(\.points)
        guard let lo = all.map(\.periodIndex).min(), let hi = all.map(\.periodIndex).max() else { return "<p>No dated quotes.</p>" }
        var yMin = all.map { $0.ci(for: metric)?.low ?? $0.mean }.min()!, yMax = all.map { $0.ci(for: metric)?.high ?? $0.mean }.max()!
        let bounds: (Double, Double) = metric == .valence ? (-1, 1) : (0, 1)
        yMin = max(bounds.0, yMin - 0.05)
        yMax = min(bounds.1, yMax + 0.05)
        if yMax - yMin < 0.1 { yMax = min(bounds.1, yMin + 0.1) }
        let span = Double(max(1, hi - lo))
        func x(_ i: Int) -> Double { left + (Double(i - lo) / span) * (w - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (min(max(v, yMin), yMax) - yMin) / (yMax - yMin)) * (h - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"\(metric.rawValue) by \(period.rawValue)\">"
        // Axes, grid and ticks.
        for k in 0...4 {
            let v = yMin + (yMax - yMin) * Double(k) / 4
            svg += "<line x1=\"\(fmt(left, 1))\" x2=\"\(fmt(w - right, 1))\" y1=\"\(fmt(y(v), 1))\" y2=\"\(fmt(y(v), 1))\" stroke=\"#e5e5e5\"/>"
            svg += "<text x=\"\(fmt(left - 6, 1))\" y=\"\(fmt(y(v) + 4, 1))\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">\(fmt(v, 2))</text>"
        }
        let ticks = min(hi - lo + 1, 12)
        let step = max(1, Int((Double(hi - lo + 1) / Double(ticks)).rounded(.up)))
        for i in stride(from: lo, through: hi, by: step) {
            svg += "<line x1=\"\(fmt(x(i), 1))\" x2=\"\(fmt(x(i), 1))\" y1=\"\(fmt(h - bottom, 1))\" y2=\"\(fmt(h - bottom + 4, 1))\" stroke=\"#888\"/>"
            svg += "<text x=\"\(fmt(x(i), 1))\" y=\"\(fmt(h - bottom + 18, 1))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">\(escape(period.label(of: i)))</text>"
        }
        svg += "<line x1=\"\(fmt(left, 1))\" x2=\"\(fmt(w - right, 1))\" y1=\"\(fmt(h - bottom, 1))\" y2=\"\(fmt(h - bottom, 1))\" stroke=\"#888\"/>"
        svg += "<text x=\"\(fmt((left + w - right) / 2, 1))\" y=\"\(fmt(h - 6, 1))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#333\">\(period.rawValue) (dates of articles)</text>"
        svg += "<text x=\"14\" y=\"\(fmt((top + h - bottom) / 2, 1))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 14 \(fmt((top + h - bottom) / 2, 1)))\">mean \(metric.rawValue)</text>"
        for s in series {
            let withCI = s.points.filter { $0.ci(for: metric) != nil }
            if withCI.count >= 2 {
                let upper = withCI.map { "\(fmt(x($0.periodIndex), 1)),\(fmt(y($0.ci(for: metric)!.high), 1))" }
                let lower = withCI.reversed().map { "\(fmt(x($0.periodIndex), 1)),\(fmt(y($0.ci(for: metric)!.low), 1))" }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(s.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            }
            for p in withCI {
                svg += "<line x1=\"\(fmt(x(p.periodIndex), 1))\" x2=\"\(fmt(x(p.periodIndex), 1))\" y1=\"\(fmt(y(p.ci(for: metric)!.low), 1))\" y2=\"\(fmt(y(p.ci(for: metric)!.high), 1))\" stroke=\"\(s.color)\" stroke-opacity=\"0.5\"/>"
            }
            let line = s.points.map { "\(fmt(x($0.periodIndex), 1)),\(fmt(y($0.mean), 1))" }
            svg += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
            for p in s.points {
                svg += "<circle cx=\"\(fmt(x(p.periodIndex), 1))\" cy=\"\(fmt(y(p.mean), 1))\" r=\"\(fmt(2.5 + min(4, log(Double(p.n)) / 1.5), 1))\" fill=\"\(s.color)\"><title>\(escape(s.speaker)) \(escape(p.period)): mean \(fmt(p.mean)), n = \(p.n)</title></circle>"
            }
        }
        return svg + "</svg>"
    }

    /// Renders the explanation JSON stored with a quote as a short line.
    static func explanationLine(_ json: String, _ metric: Metric) -> String {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let parts = obj[metric.rawValue] as? [[Any]] else { return "" }
        return parts.compactMap { p -> String? in
            guard p.count == 2, let label = p[0] as? String, let v = p[1] as? NSNumber else { return nil }
            return "\(escape(label)) \(v.doubleValue >= 0 ? "+" : "")\(fmt(v.doubleValue, 2))"
        }.joined(separator: ", ")
    }

    /// The timeline page: a chart per metric, a table per metric, and per period the most
    /// hostile and the most certain quotes of each speaker with what moved their scores.
    public static func timeline(title: String, command: String, speakers: [String], period: Period,
                                charts: [(Metric, [TimelinePoint])], quotes: [ReportQuote], ciMethod: String) -> String {
        let colors = Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, palette[$0 % palette.count]) })
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title><style>\(style)</style></head><body>"
        html += "<h1>\(escape(title))</h1><p class=\"sub\">\(escape(ciMethod)) Made by <code>\(escape(command))</code>.</p>"
        var legend = "<p class=\"legend\">"
        for s in speakers {
            let n = quotes.filter { $0.speaker == s }.count
            legend += "<span><i class=\"sw\" style=\"background:\(colors[s]!)\"></i>\(escape(s)) (\(n) quotes)</span>"
        }
        html += legend + "</p>"
        for (metric, points) in charts {
            html += "<h2>\(metric.rawValue.capitalized) by \(period.rawValue)</h2>"
            let series = speakers.map { s in (speaker: s, color: colors[s]!, points: points.filter { $0.speaker == s }) }
            html += chart(series, period: period, metric: metric)
            html += "<table><tr><th class=\"l\">speaker</th><th class=\"l\">period</th><th>n</th><th>mean</th><th>95 % CI</th></tr>"
            for p in points {
                let ci = p.ci(for: metric).map { "\(fmt($0.low)) – \(fmt($0.high))" } ?? "n &lt; 2"
                html += "<tr><td class=\"l\">\(escape(p.speaker))</td><td class=\"l\">\(escape(p.period))</td><td>\(p.n)</td><td>\(fmt(p.mean))</td><td>\(ci)</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Most hostile and most certain quotes per period</h2>"
        var byPeriod: [Int: [ReportQuote]] = [:]
        for q in quotes { byPeriod[period.index(of: q.date), default: []].append(q) }
        for i in byPeriod.keys.sorted() {
            html += "<h3>\(escape(period.label(of: i)))</h3>"
            for s in speakers {
                let mine = byPeriod[i]!.filter { $0.speaker == s }
                guard !mine.isEmpty else { continue }
                for (metric, label) in [(Metric.hostility, "most hostile"), (.certainty, "most certain")] {
                    let best = mine.max { a, b in a.value(metric) != b.value(metric) ? a.value(metric) < b.value(metric) : a.text > b.text }!
                    html += "<div class=\"q\"><b style=\"color:\(colors[s]!)\">\(escape(s))</b>, \(label) (\(metric.rawValue) \(fmt(best.value(metric))), \(escape(best.date.description)), \(escape(best.article)))"
                    html += "<blockquote>“\(escape(best.text))”</blockquote><div class=\"why\">why: \(explanationLine(best.explanation, metric))</div></div>"
                }
            }
        }
        return html + "</body></html>\n"
    }

    /// The comparison page: both sides' means with confidence intervals, and the test results.
    public static func comparison(title: String, command: String, metric: Metric, c: Comparison, sideCI: [(Double, Double)?]) -> String {
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(title))</title><style>\(style)</style></head><body>"
        html += "<h1>\(escape(title))</h1><p class=\"sub\">Made by <code>\(escape(command))</code>.</p>"
        let w = 700.0, rowH = 60.0, left = 220.0, right = 30.0
        let sides = [c.a, c.b]
        // Zoom on the data: both intervals with a margin, inside the score's range.
        let full: (Double, Double) = metric == .valence ? (-1, 1) : (0, 1)
        let lows = sides.enumerated().map { sideCI[$0.offset]?.0 ?? $0.element.mean }
        let highs = sides.enumerated().map { sideCI[$0.offset]?.1 ?? $0.element.mean }
        var bounds = (max(full.0, lows.min()! - 0.05), min(full.1, highs.max()! + 0.05))
        if bounds.1 - bounds.0 < 0.1 { bounds.1 = min(full.1, bounds.0 + 0.1) }
        func x(_ v: Double) -> Double { left + (v - bounds.0) / (bounds.1 - bounds.0) * (w - left - right) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(rowH * 2 + 40))\">"
        for k in 0...4 {
            let v = bounds.0 + (bounds.1 - bounds.0) * Double(k) / 4
            svg += "<line x1=\"\(fmt(x(v), 1))\" x2=\"\(fmt(x(v), 1))\" y1=\"0\" y2=\"\(Int(rowH * 2))\" stroke=\"#e5e5e5\"/><text x=\"\(fmt(x(v), 1))\" y=\"\(Int(rowH * 2 + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">\(fmt(v, 3))</text>"
        }
        for (i, s) in sides.enumerated() {
            let cy = rowH * Double(i) + rowH / 2
            let color = palette[i]
            if let ci = sideCI[i] {
                svg += "<line x1=\"\(fmt(x(ci.0), 1))\" x2=\"\(fmt(x(ci.1), 1))\" y1=\"\(fmt(cy, 1))\" y2=\"\(fmt(cy, 1))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
            }
            svg += "<circle cx=\"\(fmt(x(s.mean), 1))\" cy=\"\(fmt(cy, 1))\" r=\"6\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(fmt(left - 10, 1))\" y=\"\(fmt(cy + 4, 1))\" font-size=\"13\" text-anchor=\"end\">\(escape(s.label)) (n = \(s.n))</text>"
        }
        svg += "<text x=\"\(fmt((left + w - right) / 2, 1))\" y=\"\(Int(rowH * 2 + 34))\" font-size=\"12\" text-anchor=\"middle\">mean \(metric.rawValue) with 95 % CI</text></svg>"
        html += "<h2>\(metric.rawValue.capitalized)</h2>" + svg
        html += "<table><tr><th class=\"l\">statistic</th><th>value</th></tr>"
        html += "<tr><td class=\"l\">difference of means (\(escape(c.a.label)) − \(escape(c.b.label)))</td><td>\(fmt(c.difference, 4))</td></tr>"
        html += "<tr><td class=\"l\">95 % CI (Welch t, df \(fmt(c.degreesOfFreedom, 1)))</td><td>\(fmt(c.ciLow, 4)) – \(fmt(c.ciHigh, 4))</td></tr>"
        html += "<tr><td class=\"l\">permutation p-value (two-sided, \(c.permutations) permutations)</td><td>\(fmt(c.pValue, 4))</td></tr>"
        html += "<tr><td class=\"l\">effect size (Cohen's d, pooled SD)</td><td>\(fmt(c.effectSize, 3))</td></tr>"
        for s in sides { html += "<tr><td class=\"l\">\(escape(s.label)): n, mean, SD</td><td>\(s.n), \(fmt(s.mean, 4)), \(fmt(s.sd, 4))</td></tr>" }
        return html + "</table></body></html>\n"
    }
}
