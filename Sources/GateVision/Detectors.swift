import CVisionLoader
import Foundation
import GateCore

/// Runs a CVision detector and converts its boxes.
private func runDetector(_ handle: OpaquePointer, _ frame: Frame, minScore: Double, name: String) throws -> [Detection] {
    var boxes = [gw_box](repeating: gw_box(), count: 256)
    let (n, err) = withErrorBuffer { buf, len in
        boxes.withUnsafeMutableBufferPointer {
            gw_detector_detect(handle, frame.handle, Float(minScore), $0.baseAddress, Int32($0.count), buf, len)
        }
    }
    if n < 0 { throw VisionError("\(name): \(err)") }
    return boxes[0..<Int(n)].map {
        Detection(box: Rect(x: Double($0.x), y: Double($0.y), width: Double($0.w), height: Double($0.h)), score: Double($0.score))
    }
}

/// A cv::dnn person model behind a CVision detector handle. Its scores stay meaningful
/// below the feed's threshold, so it reports weak detections for the tracker; the score
/// floor can also be given per call, so the detection engine shares one loaded model.
public class ModelPersonDetector: SharedModelDetector {
    public var sharedModel: SharedModelDetector? { self }
    public let name: String
    public var minScore: Double
    private let handle: OpaquePointer

    fileprivate init(name: String, handle: OpaquePointer, minScore: Double) {
        self.name = name; self.handle = handle; self.minScore = minScore
    }
    deinit { gw_detector_free(handle) }

    /// The person model's scores are meaningful below its threshold: report down to `floor`.
    public func reportWeakDetections(downTo floor: Double, confidence: Double) -> Double {
        minScore = min(minScore, floor)
        return minScore
    }

    public func detect(_ frame: Frame) throws -> [Detection] {
        try runDetector(handle, frame, minScore: minScore, name: name)
    }
    public func detect(_ frame: Frame, minScore: Double) throws -> [Detection] {
        try runDetector(handle, frame, minScore: minScore, name: name)
    }
}

/// The SSDLite-MobileNetV2 person model through cv::dnn (~20-30 ms a frame here).
public final class SSDLiteDetector: ModelPersonDetector {
    public let model: ModelFiles

    public init(model: ModelFiles, minScore: Double = 0.4, personClassId: Int = 1) throws {
        let (h, err) = withErrorBuffer { gw_ssd_new(model.graph, model.textGraph, Int32(personClassId), $0, $1) }
        guard let h else { throw VisionError(err) }
        self.model = model
        super.init(name: "ssdlite", handle: h, minScore: minScore)
    }
}

/// YOLOX-Nano (COCO, ONNX) through cv::dnn: letterboxed to 416 on the longer side instead of
/// squeezed to 300x300, so it finds people about half as tall as SSDLite does, at a higher
/// cost a run.
public final class YOLOXDetector: ModelPersonDetector {
    public let modelPath: String

    /// Throws one line naming the file when it is missing, truncated or not YOLOX-Nano.
    public init(modelPath: String, minScore: Double = 0.4, nmsThreshold: Double = 0.45) throws {
        let (h, err) = withErrorBuffer { gw_yolox_new(modelPath, Float(nmsThreshold), $0, $1) }
        guard let h else { throw VisionError("yolox detector: \(err)") }
        self.modelPath = modelPath
        super.init(name: "yolox", handle: h, minScore: minScore)
    }
}

/// OpenCV's HOG people detector: the fallback when the model file is absent.
/// Slower and weaker than the DNN, and blind to people seen from above.
public final class HOGDetector: PersonDetector {
    public let name = "hog"
    public var minScore: Double
    private let handle: OpaquePointer
    /// `scaleWidth` resizes frames to this width first (0 keeps the size).
    public init(minScore: Double = 0.5, scaleWidth: Int = 640, hitThreshold: Double = 0) {
        handle = gw_hog_new(Int32(scaleWidth), hitThreshold); self.minScore = minScore
    }
    deinit { gw_detector_free(handle) }
    public func detect(_ frame: Frame) throws -> [Detection] {
        try runDetector(handle, frame, minScore: minScore, name: name)
    }
}

/// Background subtraction + contours: person-sized moving blobs. For overhead cameras,
/// where person models trained on side views fail. Stateful: feed it consecutive frames.
public final class MotionBlobDetector: PersonDetector {
    public let name = "motion"
    public var minScore: Double
    private let handle: OpaquePointer
    /// Areas are shares of the frame; `personWidth` (share of frame width, 0 = off) splits
    /// wide blobs of people walking side by side.
    public init(minScore: Double = 0.5, workWidth: Int = 320, minArea: Double = 0.002, maxArea: Double = 0.25,
                personWidth: Double = 0, history: Int = 300, varThreshold: Double = 16) {
        handle = gw_motion_blob_new(Int32(workWidth), minArea, maxArea, personWidth, Int32(history), varThreshold)
        self.minScore = minScore
    }
    deinit { gw_detector_free(handle) }
    public func detect(_ frame: Frame) throws -> [Detection] {
        try runDetector(handle, frame, minScore: minScore, name: name)
    }
}

/// The person model's two files: the frozen TensorFlow graph and OpenCV's text graph.
public struct ModelFiles: Equatable, Sendable {
    public var graph: String
    public var textGraph: String
    public init(graph: String, textGraph: String) { self.graph = graph; self.textGraph = textGraph }
}

/// Finds the person model without being told: --model, then $GATEWATCH_MODEL_DIR, then the
/// install directories. The text graph (.pbtxt) is looked for next to the .pb.
public struct ModelLocator: Sendable {
    public static let graphName = "frozen_inference_graph.pb"
    public static let textGraphName = "ssdlite-person.pbtxt"
    /// The second person model (YOLOX-Nano), installed beside SSDLite by scripts/setup.
    public static let yoloxName = "yolox-nano.onnx"
    public var environment: [String: String]
    public var homeDirectory: String
    /// The install directories after $GATEWATCH_MODEL_DIR (nil: the standard three).
    public var installDirectories: [String]?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: String = NSHomeDirectory(), installDirectories: [String]? = nil) {
        self.environment = environment; self.homeDirectory = homeDirectory; self.installDirectories = installDirectories
    }

    /// Directories searched in order when no explicit path is given.
    public var searchDirectories: [String] {
        var dirs: [String] = []
        if let d = environment["GATEWATCH_MODEL_DIR"], !d.isEmpty { dirs.append(d) }
        dirs += installDirectories ?? ["/usr/local/share/gatewatch/models", homeDirectory + "/.local/share/gatewatch/models",
                                       "/usr/share/gatewatch/models"]
        return dirs
    }

    /// The model files; nil when no explicit path is given and none is installed.
    /// Throws when an explicit path (a .pb file or a directory holding one) is unusable.
    public func locate(explicit: String? = nil) throws -> ModelFiles? {
        if let explicit, !explicit.isEmpty {
            if try Self.isDirectory(explicit: explicit, modelFile: Self.graphName) {
                guard let m = Self.files(inDirectory: explicit) else {
                    throw VisionError("no \(Self.graphName) with a .pbtxt text graph in \(explicit)")
                }
                return m
            }
            guard let text = Self.textGraph(besides: explicit) else {
                throw VisionError("no text graph (.pbtxt) next to \(explicit): put \(Self.textGraphName) in the same directory")
            }
            return ModelFiles(graph: explicit, textGraph: text)
        }
        for dir in searchDirectories {
            if let m = Self.files(inDirectory: dir) { return m }
        }
        return nil
    }

    /// The YOLOX-Nano model file; nil when no explicit path is given and none is installed.
    /// An explicit path is the .onnx file itself, or a directory (or SSDLite's .pb in one)
    /// holding `yolox-nano.onnx`.
    public func locateYOLOX(explicit: String? = nil) throws -> String? {
        let fm = FileManager.default
        if let explicit, !explicit.isEmpty {
            let isDir = try Self.isDirectory(explicit: explicit, modelFile: Self.yoloxName, detector: "yolox detector: ")
            // SSDLite's .pb (one --model for a site mixing detectors) points at the shared directory.
            let isGraph = !isDir && explicit.hasSuffix(".pb")
            guard isDir || isGraph else { return explicit }
            let dir = isGraph ? (explicit as NSString).deletingLastPathComponent : explicit
            let inside = (dir as NSString).appendingPathComponent(Self.yoloxName)
            guard fm.fileExists(atPath: inside) else { throw VisionError("yolox detector: no \(Self.yoloxName) in \(dir)") }
            return inside
        }
        return searchDirectories.map { ($0 as NSString).appendingPathComponent(Self.yoloxName) }
            .first { fm.fileExists(atPath: $0) }
    }

    /// Whether an explicit model path is a directory; one line naming it when it does not exist.
    private static func isDirectory(explicit: String, modelFile: String, detector: String = "") throws -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDir) else {
            throw VisionError("\(detector)model not found: \(explicit) (give the path of \(modelFile) or of its directory)")
        }
        return isDir.boolValue
    }

    static func files(inDirectory dir: String) -> ModelFiles? {
        let pb = (dir as NSString).appendingPathComponent(graphName)
        guard FileManager.default.fileExists(atPath: pb), let text = textGraph(besides: pb) else { return nil }
        return ModelFiles(graph: pb, textGraph: text)
    }

    /// ssdlite-person.pbtxt, else NAME.pbtxt for NAME.pb, else the only .pbtxt in the directory.
    static func textGraph(besides pb: String) -> String? {
        let fm = FileManager.default
        let dir = (pb as NSString).deletingLastPathComponent
        let candidates = [(dir as NSString).appendingPathComponent(textGraphName),
                          (pb as NSString).deletingPathExtension + ".pbtxt"]
        if let c = candidates.first(where: { fm.fileExists(atPath: $0) }) { return c }
        let all = ((try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []).filter { $0.hasSuffix(".pbtxt") }
        return all.count == 1 ? (dir as NSString).appendingPathComponent(all[0]) : nil
    }
}

/// Builds a feed's detector. An installed person model that is missing or does not load
/// follows `onModelError`: fall back to the next model down (YOLOX-Nano → SSDLite → HOG),
/// calling `warn` with one line that names the file, or throw that line (the feed stops).
/// An explicit `modelPath` (`--model`) that is missing or does not load is always an error.
/// `modelPath` is SSDLite's .pb (or its directory) or YOLOX's .onnx (or its directory).
public func makeDetector(kind: DetectorKind, confidence: Double = 0.4, modelPath: String? = nil,
                         onModelError: ModelErrorPolicy = .fallBack, locator: ModelLocator = ModelLocator(),
                         warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) throws -> PersonDetector {
    let searched = locator.searchDirectories.joined(separator: ", ")
    let fallBack = onModelError == .fallBack && modelPath == nil
    func hog() -> PersonDetector { HOGDetector(minScore: max(confidence, 0.5)) }
    switch kind {
    case .hog:
        return hog()
    case .motion:
        return MotionBlobDetector(minScore: min(confidence, 0.5))
    case .ssdlite:
        if let files = try locator.locate(explicit: modelPath) {
            do { return try SSDLiteDetector(model: files, minScore: confidence) } catch let e as VisionError where fallBack {
                warn("warning: \(e.message); using the weaker HOG detector"
                     + (e.message.contains("scripts/setup") ? "" : " (reinstall the model with scripts/setup)"))
                return hog()
            }
        }
        let missing = "ssdlite detector: person model \(ModelLocator.graphName) not found in \(searched)"
        guard fallBack else { throw VisionError(missing + " (run scripts/setup to install it, or pass --model PATH)") }
        warn("warning: \(missing); using the weaker HOG detector (run scripts/setup to install the model, or pass --model PATH)")
        return hog()
    case .yolox:
        if let path = try locator.locateYOLOX(explicit: modelPath) {
            do { return try YOLOXDetector(modelPath: path, minScore: confidence) } catch let e as VisionError where fallBack {
                warn("warning: \(e.message); using the next model down")
                return try makeDetector(kind: .ssdlite, confidence: confidence, onModelError: .fallBack, locator: locator, warn: warn)
            }
        }
        let missing = "yolox detector: model \(ModelLocator.yoloxName) not found in \(searched)"
        guard fallBack else { throw VisionError(missing + " (run scripts/setup to install it, or pass --model PATH)") }
        let ssd = try locator.locate()
        warn("warning: \(missing); using "
             + (ssd == nil ? "the weaker HOG detector" : "ssdlite, which misses small far people")
             + " (run scripts/setup to install it, or pass --model PATH)")
        guard ssd != nil else { return hog() }
        return try makeDetector(kind: .ssdlite, confidence: confidence, onModelError: .fallBack, locator: locator, warn: warn)
    }
}

/// The detector of a feed whose person model could not be loaded and whose site says
/// `on_model_error: stop_feed`: its first detector run fails with the reason, so that feed
/// (and only it) stops and its health shows why.
public final class UnavailableDetector: PersonDetector {
    public let name: String
    private let reason: String
    public init(name: String, reason: String) { self.name = name; self.reason = reason }
    public func detect(_ frame: Frame) throws -> [Detection] { throw VisionError(reason) }
}
