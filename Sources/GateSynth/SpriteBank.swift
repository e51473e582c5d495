import CVisionLoader
import Foundation
import GateCore
import GateVision

/// Real people cut out of vtest.avi (walking sequences with alpha masks), built once
/// and cached on disk under `~/.cache/gatewatch/sprites-v9` (or `$XDG_CACHE_HOME`).
public final class SpriteBank: @unchecked Sendable {
    let handle: OpaquePointer
    public let sequences: Int
    /// Milliseconds spent building the bank in this process (0 when it came from the cache).
    public let buildMs: Double
    private let lengths: [Int]
    /// Candidate sequences (index, mirrored) per heading bin, so a walker faces where it goes.
    private var byHeading: [[(Int, Bool)]] = []
    private static let bins = 32

    public static var defaultVideoPath: String {
        ProcessInfo.processInfo.environment["GATEWATCH_SPRITE_VIDEO"] ?? "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
    }
    public static var defaultModelDirectory: String {
        ProcessInfo.processInfo.environment["GATEWATCH_MODEL_DIR"] ?? "/usr/local/share/gatewatch/models"
    }
    public static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/gatewatch/sprites-v9" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/gatewatch/sprites-v9" }
        return NSTemporaryDirectory() + "gatewatch-sprites-v9"
    }

    /// True when the bank is on disk already (loading takes milliseconds; building takes a minute or more).
    public static func isCached(in cacheDirectory: String = SpriteBank.defaultCacheDirectory) -> Bool {
        FileManager.default.fileExists(atPath: cacheDirectory + "/index.txt")
    }

    /// `progress` gets 0…1 while the bank is built (from this thread); it is not called for a cached bank.
    public init(videoPath: String = SpriteBank.defaultVideoPath,
                cacheDirectory: String = SpriteBank.defaultCacheDirectory,
                modelDirectory: String = SpriteBank.defaultModelDirectory,
                progress: ((Double) -> Void)? = nil) throws {
        var err = [CChar](repeating: 0, count: 512)
        let pb = modelDirectory + "/frozen_inference_graph.pb", pbtxt = modelDirectory + "/ssdlite-person.pbtxt"
        final class ProgressBox { let report: (Double) -> Void; init(_ r: @escaping (Double) -> Void) { report = r } }
        let box = progress.map { Unmanaged.passRetained(ProgressBox($0)) }
        defer { box?.release() }
        let callback: gw_progress_fn? = box == nil ? nil : { context, fraction in
            guard let context else { return }
            Unmanaged<ProgressBox>.fromOpaque(context).takeUnretainedValue().report(fraction)
        }
        guard let h = gw_sprite_bank_load(videoPath, cacheDirectory, pb, pbtxt, callback, box?.toOpaque(),
                                          &err, Int32(err.count)) else {
            throw VisionError(String(cString: err))
        }
        handle = h
        sequences = Int(gw_sprite_bank_sequences(h))
        buildMs = gw_sprite_bank_build_ms(h)
        lengths = (0..<sequences).map { Int(gw_sprite_bank_seq_length(h, Int32($0))) }
        if buildMs > 0 {
            FileHandle.standardError.write(Data(String(format: "gatewatch: built the sprite bank (%d walking sequences from %@) in %.1f s, cached in %@\n",
                                                       sequences, (videoPath as NSString).lastPathComponent, buildMs / 1000, cacheDirectory).utf8))
        }
        var motion: [(Double, Double)] = []
        for s in 0..<sequences {
            var vx: Float = 0, vy: Float = 0
            gw_sprite_bank_seq_motion(h, Int32(s), &vx, &vy)
            motion.append((Double(vx), Double(vy)))
        }
        for bin in 0..<Self.bins {
            let ang = Double(bin) / Double(Self.bins) * 2 * Double.pi
            let hx = cos(ang), hy = sin(ang)
            // Every sequence that walks roughly this way; at least the four closest, so
            // pairs and crowds do not all wear the same person.
            var scored: [(Int, Bool, Double)] = []
            for (s, m) in motion.enumerated() {
                let l = (m.0 * m.0 + m.1 * m.1).squareRoot()
                guard l > 0.3 else { continue }
                for flip in [false, true] {
                    scored.append((s, flip, ((flip ? -m.0 : m.0) * hx + m.1 * hy) / l))
                }
            }
            scored.sort { $0.2 > $1.2 }
            let good = scored.enumerated().filter { $0.offset < 4 || $0.element.2 > 0.7 }.map { ($0.element.0, $0.element.1) }
            byHeading.append(good.isEmpty ? [(0, false)] : good)
        }
    }

    deinit { gw_sprite_bank_free(handle) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: SpriteBank?

    /// The process-wide bank from the default places, loaded (or built, reporting `progress`) once.
    public static func shared(progress: ((Double) -> Void)? = nil) throws -> SpriteBank {
        lock.lock(); defer { lock.unlock() }
        if let b = cached { return b }
        let b = try SpriteBank(progress: progress)
        cached = b
        return b
    }

    /// Sequence, sprite frame and mirroring for a walker heading somewhere at some phase.
    func sprite(heading: Double, key: UInt64, phase: Int) -> (seq: Int, frame: Int, flip: Bool) {
        var a = heading.truncatingRemainder(dividingBy: 2 * Double.pi)
        if a < 0 { a += 2 * Double.pi }
        let bin = Int((a / (2 * Double.pi) * Double(Self.bins)).rounded()) % Self.bins
        let list = byHeading[bin]
        let (seq, flip) = list[Int(key % UInt64(list.count))]
        let len = lengths[seq]
        // Ping-pong through the cut-out stride so there is no jump at the end of the sequence.
        let period = max(1, 2 * len - 2)
        let p = (phase + Int((key >> 32) % UInt64(period))) % period
        return (seq, p < len ? p : period - p, flip)
    }

    func aspect(seq: Int, frame: Int) -> Double { Double(gw_sprite_bank_aspect(handle, Int32(seq), Int32(frame))) }
}
