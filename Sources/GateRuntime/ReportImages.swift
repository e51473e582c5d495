import Foundation
import GateCore
import GateVision

/// One picture of the signed report: a still or a plot. Markdown links to `fileName` in a
/// folder beside the report; HTML embeds the bytes as a data: URI (opens with no network).
public struct ReportFigure: Sendable {
    public var caption: String
    public var fileName: String
    public var mimeType: String
    /// Nil when the picture could not be made; `missing` says why, in one line.
    public var bytes: Data?
    public var missing: String?
}

/// Every scenario's pictures, in the order of the run's scenarios.
public struct ReportImages: Sendable {
    public var scenarios: [[ReportFigure]]

    /// Takes each scenario's still again from its source (people blurred unless `privacy` is
    /// false) and draws its counts over time. A still that cannot be taken (a stream, a clip
    /// moved since) is named with the reason; the report is written all the same.
    public static func render(_ run: SuiteRun, privacy: Bool = true, modelPath: String? = nil) -> ReportImages {
        ReportImages(scenarios: run.scenarios.enumerated().map { i, r in
            guard let e = r.evidence else { return [] }
            let prefix = String(format: "%02d", i + 1)
            let plot = ReportFigure(caption: "Số lượt qua theo thời gian / Crossings over time — \(r.name)",
                                    fileName: "\(prefix)-counts.svg", mimeType: "image/svg+xml",
                                    bytes: Data(CountsPlot.svg(e, title: r.name).utf8), missing: nil)
            return [still(r, e, prefix: prefix, privacy: privacy, modelPath: modelPath), plot]
        })
    }

    static func still(_ r: ScenarioReport, _ e: ScenarioReport.Evidence, prefix: String, privacy: Bool,
                      modelPath: String?) -> ReportFigure {
        var figure = ReportFigure(caption: "Ảnh camera, đường đếm và vùng phát hiện / Camera still, counting lines and detection region — \(r.name)",
                                  fileName: "\(prefix)-still.jpg", mimeType: "image/jpeg", bytes: nil, missing: nil)
        guard let source = e.stillSource else {
            figure.missing = "không có ảnh: hình của luồng trực tiếp không được lưu / no still: a stream's picture is not kept (take one with gatewatch snapshot)"
            return figure
        }
        var feed = FeedConfig(id: "feed", name: r.name, source: source, detector: e.detector, confidence: e.confidence, lines: e.lines)
        feed.detectRegion = e.detectRegion
        do {
            let picture = try EvidenceStill.take(feed: feed, at: .frame(e.stillFrame), privacy: privacy, modelPath: modelPath,
                                                 encoding: .report)
            figure.bytes = picture.encoded
            figure.caption += " (frame \(picture.frameIndex); \(picture.privacy.bothLanguages))"
        } catch {
            figure.missing = "không lấy được ảnh / no still: " + ((error as? VisionError)?.message ?? "\(error)")
        }
        return figure
    }
}
