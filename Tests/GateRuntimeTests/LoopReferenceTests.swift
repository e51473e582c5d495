import Foundation
import XCTest
import GateCore
import GateSynth
import GateVision
@testable import GateRuntime

/// A looping source starts again from its first picture (the demo's overhead scene loops
/// every 90 s with a new seed): the tamper reference restarts with it, so the loop is not
/// taken for a moved camera.
final class LoopReferenceTests: XCTestCase {
    func testLoopingOverheadSceneKeepsItsReferenceSimilarity() throws {
        let spec = "synthetic:kind=overhead,seed=21,people=10,frames=900,fps=10,loop"
        let source = try SyntheticSource(uri: spec, startMs: 1_700_000_000_000)
        let feed = FeedConfig(id: "top", name: "Top", source: spec, fps: 10, detector: .motion, lines: [
            LineConfig(id: "l", name: "L", from: Point(x: 0.05, y: 0.5), to: Point(x: 0.95, y: 0.5), inside: Point(x: 0.5, y: 0.9))])
        let pipeline = FeedPipeline(feed: feed, gateId: "g", source: source, detector: try makeDetector(kind: .motion),
                                    options: PipelineOptions(liveMode: false))
        var samples: [(round: Int, similarity: Double)] = []
        let lock = NSLock()
        pipeline.onFrameStats = { stats, _ in
            lock.lock(); defer { lock.unlock() }
            if let s = stats.referenceSimilarity { samples.append((source.restarts, s)) }
            if source.restarts >= 2 { pipeline.stop() }
        }
        try pipeline.run()
        lock.lock(); defer { lock.unlock() }
        let rounds = Set(samples.map(\.round))
        XCTAssertGreaterThanOrEqual(rounds.count, 3, "the scene should loop twice")
        let worst = samples.min { $0.similarity < $1.similarity }
        print("loop reference: \(samples.count) samples over \(rounds.count) rounds, lowest similarity "
              + String(format: "%.2f", worst?.similarity ?? -1) + " (moved below \(AlertTuning().movedSimilarity))")
        XCTAssertGreaterThan(worst?.similarity ?? 0, AlertTuning().movedSimilarity,
                                    "a loop of the scene looks like a moved camera: \(samples.map { String(format: "%d:%.2f", $0.round, $0.similarity) })")
    }
}
