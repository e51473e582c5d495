import Foundation
import GateCore

/// A small SVG plot of a scenario's crossings: in and out, each cumulative, over the
/// scenario's seconds, with labelled axes (Vietnamese first). Text only, so it embeds in an
/// HTML report and opens from a Markdown one with no network and no vision library.
public enum CountsPlot {
    static let width = 480.0, height = 220.0
    static let left = 52.0, right = 16.0, top = 30.0, bottom = 40.0
    static let inColour = "#1a8f1a", outColour = "#e07000"

    public static func svg(_ timeline: ScenarioReport.Evidence, title: String) -> String {
        let duration = max(timeline.seconds, timeline.crossings.map(\.seconds).max() ?? 0, 1)
        let ins = cumulative(timeline.crossings, .in), outs = cumulative(timeline.crossings, .out)
        let most = max(ins.last?.count ?? 0, outs.last?.count ?? 0, 1)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ s: Double) -> Double { left + s / duration * plotW }
        func y(_ n: Int) -> Double { top + plotH - Double(n) / Double(most) * plotH }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"16\" font-size=\"12\" font-weight=\"bold\">\(xml(title))</text>\n"
        s += axes(duration: duration, most: most, x: x, y: y)
        s += step(ins, duration: duration, colour: inColour, x: x, y: y)
        s += step(outs, duration: duration, colour: outColour, x: x, y: y)
        let legendX = width - right - 150
        for (i, (d, c, n)) in [(Direction.in, inColour, ins.last?.count ?? 0), (.out, outColour, outs.last?.count ?? 0)].enumerated() {
            let ly = 16 + Double(i) * 13
            s += "<line x1=\"\(f(legendX))\" y1=\"\(f(ly - 4))\" x2=\"\(f(legendX + 16))\" y2=\"\(f(ly - 4))\" stroke=\"\(c)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(f(legendX + 20))\" y=\"\(f(ly))\">\(Words.direction(d, .vi)) / \(Words.direction(d, .en)): \(n)</text>\n"
        }
        return s + "</svg>\n"
    }

    /// (seconds, count so far) at each crossing of direction `d`, in time order.
    static func cumulative(_ crossings: [ScenarioReport.Evidence.Crossing], _ d: Direction) -> [(seconds: Double, count: Int)] {
        crossings.filter { $0.direction == d.name }.map(\.seconds).sorted().enumerated().map { ($1, $0 + 1) }
    }

    private static func axes(duration: Double, most: Int, x: (Double) -> Double, y: (Int) -> Double) -> String {
        let x0 = x(0), y0 = y(0)
        var s = "<g stroke=\"#444\" fill=\"none\"><line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x(duration)))\" y2=\"\(f(y0))\"/>"
            + "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x0))\" y2=\"\(f(y(most)))\"/></g>\n"
        for t in ticks(upTo: duration) {
            s += "<line x1=\"\(f(x(t)))\" y1=\"\(f(y0))\" x2=\"\(f(x(t)))\" y2=\"\(f(y0 + 4))\" stroke=\"#444\"/>"
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(y0 + 15))\" text-anchor=\"middle\">\(NumericLimit.format(t))</text>\n"
        }
        // Whole counts only.
        for n in ticks(upTo: Double(most)).filter({ $0 == $0.rounded() }).map({ Int($0) }) {
            s += "<line x1=\"\(f(x0 - 4))\" y1=\"\(f(y(n)))\" x2=\"\(f(x0))\" y2=\"\(f(y(n)))\" stroke=\"#444\"/>"
            s += "<text x=\"\(f(x0 - 7))\" y=\"\(f(y(n) + 4))\" text-anchor=\"end\">\(n)</text>\n"
        }
        s += "<text x=\"\(f(x0 + (x(duration) - x0) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">thời gian / time (s)</text>\n"
        s += "<text transform=\"translate(13 \(f(y0 - (y0 - y(most)) / 2))) rotate(-90)\" text-anchor=\"middle\">lượt cộng dồn / cumulative</text>\n"
        return s
    }

    /// A staircase from 0 at the start, up one at each crossing, flat to the end.
    private static func step(_ points: [(seconds: Double, count: Int)], duration: Double, colour: String,
                             x: (Double) -> Double, y: (Int) -> Double) -> String {
        var path = "M\(f(x(0))),\(f(y(0)))"
        for p in points { path += " H\(f(x(p.seconds))) V\(f(y(p.count)))" }
        path += " H\(f(x(duration)))"
        return "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
    }

    /// At most about 6 round ticks from 0 to `limit` (1, 2, 5 × 10ⁿ apart).
    static func ticks(upTo limit: Double) -> [Double] {
        guard limit > 0 else { return [0] }
        let raw = limit / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: 0, through: limit + 1e-9, by: step).map { $0 }
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }
    private static func xml(_ s: String) -> String { AcceptanceReport.xml(s) }
}
