import Foundation
import GateCore
import GateVision
import XCTest

/// One engine per process: feeds share each model (loaded once per detector thread, never
/// per feed), get the same people their own model would find, each at its own confidence.
final class DetectionEngineTests: XCTestCase {
    private func feed(_ id: String, confidence: Double, detector: DetectorKind = .ssdlite) -> FeedConfig {
        FeedConfig(id: id, name: id, source: vtestPath, detector: detector, confidence: confidence,
                   lines: [LineConfig(id: "l-\(id)", name: "l", from: Point(0.4, 0.2), to: Point(0.4, 0.7), inside: Point(0.7, 0.4))])
    }

    func testFeedsShareOneModelPerWorkerAndFindWhatTheirOwnModelFinds() throws {
        try requireFile(vtestPath, "vtest.avi")
        let model = try requireModel()
        let engine = DetectionEngine(workers: 2)
        defer { engine.close() }
        var warnings: [String] = []
        let detectors = try (1...6).map { try engine.detector(for: feed("f\($0)", confidence: $0 % 2 == 0 ? 0.7 : 0.4),
                                                              warn: { warnings.append($0) }) }
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(engine.loadedModels, 1, "the first worker loaded the model once for six feeds")
        XCTAssertEqual(detectors.map(\.name), Array(repeating: "ssdlite", count: 6))

        let picture = try frame(of: vtestPath, at: 100)
        let own = try SSDLiteDetector(model: model, minScore: 0.4)
        let expected = try own.detect(picture)
        XCTAssertFalse(expected.isEmpty)
        // Six feeds at once from six threads: each gets the people its own model finds.
        let results = ResultBox(count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { i in results.set(i, Result { try detectors[i].detect(picture) }) }
        for i in 0..<6 {
            let got = try results.get(i)
            let floor = i % 2 == 0 ? 0.4 : 0.7    // feeds f1, f3, f5 at 0.4; f2, f4, f6 at 0.7
            XCTAssertEqual(got, expected.filter { $0.score >= floor }, "feed f\(i + 1)")
        }
        XCTAssertLessThanOrEqual(engine.loadedModels, 2, "at most one model per detector thread, however many feeds")
    }

    /// Motion blobs learn each feed's background: never shared.
    func testStatefulDetectorsStayWithTheirFeed() throws {
        let engine = DetectionEngine(workers: 2)
        defer { engine.close() }
        let a = try engine.detector(for: feed("a", confidence: 0.4, detector: .motion), warn: { _ in })
        let b = try engine.detector(for: feed("b", confidence: 0.4, detector: .motion), warn: { _ in })
        XCTAssertFalse(a === b)
        XCTAssertTrue(a is MotionBlobDetector)
        XCTAssertEqual(engine.loadedModels, 0)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<[Detection], Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<[Detection], Error>) { lock.lock(); values[i] = r; lock.unlock() }
    func get(_ i: Int) throws -> [Detection] { lock.lock(); defer { lock.unlock() }; return try values[i]!.get() }
}
