import Foundation

/// Where a feed's detector looks. The whole picture squeezed into the model's input loses far
/// people (40–70 px tall become 15–25 px); a region around the gate, cut at full resolution,
/// keeps them. Config `detect_region`: `full` (the default for now), `auto` (the band around
/// the feed's counting lines) or `[x1, y1, x2, y2]` (normalised).
public enum DetectionRegion: Equatable, Sendable, Codable {
    case full
    case auto
    case rect(Rect)

    /// Around the lines: this share of the picture on each side, so a person is seen
    /// approaching and leaving (several detections either side of the line for the tracker).
    public static let autoMargin = 0.2

    /// The region, normalised and clipped to the picture (nil: the whole picture).
    public func normalised(lines: [LineConfig]) -> Rect? {
        let r: Rect
        switch self {
        case .full: return nil
        case .rect(let given): r = given
        case .auto:
            guard !lines.isEmpty else { return nil }
            let xs = lines.flatMap { [$0.from.x, $0.to.x] }, ys = lines.flatMap { [$0.from.y, $0.to.y] }
            let m = Self.autoMargin
            r = Rect(x: xs.min()! - m, y: ys.min()! - m, width: xs.max()! - xs.min()! + 2 * m, height: ys.max()! - ys.min()! + 2 * m)
        }
        let x0 = max(0, r.minX), y0 = max(0, r.minY), x1 = min(1, r.maxX), y1 = min(1, r.maxY)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    /// The config's words for it: `full`, `auto` or `x1,y1,x2,y2` (what `detect_region` and
    /// `--detect-region` read back).
    public var argument: String {
        switch self {
        case .full: return "full"
        case .auto: return "auto"
        case .rect(let r): return [r.minX, r.minY, r.maxX, r.maxY].map(ConfigLoader.fmtNumber).joined(separator: ",")
        }
    }

    /// The region in pixels for a `width`×`height` picture (nil: the whole picture).
    public func pixels(lines: [LineConfig], width: Int, height: Int) -> PixelRect? {
        guard let r = normalised(lines: lines) else { return nil }
        let x0 = max(0, Int((r.minX * Double(width)).rounded(.down))), y0 = max(0, Int((r.minY * Double(height)).rounded(.down)))
        let x1 = min(width, Int((r.maxX * Double(width)).rounded(.up))), y1 = min(height, Int((r.maxY * Double(height)).rounded(.up)))
        guard x1 - x0 >= 16, y1 - y0 >= 16 else { return nil }
        // Nearly the whole picture: cutting would gain nothing.
        if Double((x1 - x0) * (y1 - y0)) >= 0.9 * Double(width * height) { return nil }
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}

/// A rectangle in pixels.
public struct PixelRect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }

    /// Tiles covering the region: the region itself when it is at most `maxAspect` to 1 (one
    /// detector run; the square model input squashes a 4:3 picture too), else square tiles of
    /// its short side overlapping by `overlap`, so a person on a seam is whole in one tile. At
    /// most `maxTiles` (each is a detector run): past that the tiles grow longer instead.
    public func tiles(maxAspect: Double = 2, overlap: Double = 0.25, maxTiles: Int = 4) -> [PixelRect] {
        let long = Double(max(width, height)), short = Double(min(width, height))
        guard long > maxAspect * short else { return [self] }
        var side = short
        var n = Int(((long - side) / (side * (1 - overlap))).rounded(.up)) + 1
        if n > maxTiles {
            // Fewer, longer tiles that still overlap as asked.
            n = max(2, maxTiles)
            side = long / (Double(n) - Double(n - 1) * overlap)
        }
        let stride = (long - side) / Double(n - 1)
        let length = Int(side.rounded())
        return (0..<n).map { i in
            let offset = min(Int((Double(i) * stride).rounded()), Int(long) - length)
            return width >= height ? PixelRect(x: x + offset, y: y, width: length, height: height)
                                   : PixelRect(x: x, y: y + offset, width: width, height: length)
        }
    }

    /// A box normalised to this rectangle, as a box normalised to the `width`×`height` picture.
    public func mapToPicture(_ b: Rect, width w: Int, height h: Int) -> Rect {
        Rect(x: (Double(x) + b.x * Double(width)) / Double(w), y: (Double(y) + b.y * Double(height)) / Double(h),
             width: b.width * Double(width) / Double(w), height: b.height * Double(height) / Double(h))
    }
}

extension Array where Element == Detection {
    /// Greedy non-maximum suppression: the people found twice (in two overlapping tiles)
    /// kept once, the higher score first.
    public func suppressingOverlaps(iou threshold: Double = 0.5) -> [Detection] {
        var kept: [Detection] = []
        for d in sorted(by: { $0.score > $1.score }) where !kept.contains(where: { $0.box.iou(d.box) > threshold }) {
            kept.append(d)
        }
        return kept
    }
}
