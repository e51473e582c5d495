import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateStore
import GateVision

/// `gatewatch snapshot`: one still of a feed with its counting lines, in/out sides and
/// detection region drawn, people blurred unless the site says `privacy: false`.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Write one still of a feed as PNG, with its counting lines, in/out sides and detection region.",
        discussion: """
            Opens the feed's source the way the site does and takes one picture: a camera's picture now,
            or a clip's or scene's at --at SECONDS. People are blurred (the site's privacy setting, on
            unless privacy: false); the picture says how many, or that no detector ran. Created 0600.
            Example: gatewatch snapshot --config site.yaml --feed main-cam1 --out main-cam1.png
            """
    )

    @Option(help: "The site YAML file.")
    var config: String

    @Option(help: "The feed's id in the site file.")
    var feed: String

    @Option(help: ArgumentHelp("Where to write the picture (a .png name).", valueName: "file.png"))
    var out: String

    @Option(help: ArgumentHelp("Seconds into a clip or synthetic scene (default: its first frame).", valueName: "seconds"))
    var at: Double?

    @Option(help: "Path to the person model (frozen_inference_graph.pb); found by itself when installed.")
    var model: String?

    func validate() throws {
        guard (out as NSString).pathExtension.lowercased() == "png" else {
            throw ValidationError("--out \(out): name the picture .png (it is written as PNG)")
        }
        try checkFlag(at, Limits.snapshotSeconds, flag: "--at")
    }

    func run() throws {
        try runReportingErrors {
            let located = try ConfigLoader.loadLocated(path: config)
            let site = located.config
            guard let chosen = site.feeds.first(where: { $0.id == feed }) else {
                throw CLIError("\(config): no feed '\(TextSafety.echo(feed))'; its feeds are: "
                               + site.feeds.map(\.id).joined(separator: ", "))
            }
            // Checked before the source is opened, so a bad path costs no decoding.
            if let problem = Self.outputProblem(out) { throw CLIError(problem) }
            let picture: StillPicture
            do {
                picture = try EvidenceStill.take(feed: chosen, at: at.map { .seconds($0) } ?? .first, privacy: site.privacy,
                                                 modelPath: model, warn: { printError($0) })
            } catch {
                // Any camera password in the message is masked, and the line names the source: key.
                throw located.sourceError(feedId: chosen.id, UnavailableSource.message(error, uri: chosen.source, position: nil))
            }
            try Export.writeFile(bytes: Array(picture.encoded), to: out)
            let when = picture.seconds.map { String(format: "%.1f s, ", $0) } ?? ""
            print("\(out): feed \(chosen.id), \(when)frame \(picture.frameIndex), \(picture.width)x\(picture.height); "
                  + picture.privacy.bothLanguages)
        }
    }

    /// Why `path` cannot be written (the folder is missing, not a folder, or not writable), or nil.
    static func outputProblem(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            return "--out \(path): the folder \(folder) does not exist; create it or write somewhere else"
        }
        guard isDirectory.boolValue else { return "--out \(path): \(folder) is not a folder" }
        guard access(folder, W_OK) == 0 else {
            return "--out \(path): this user may not write in \(folder); write somewhere else"
        }
        return nil
    }
}
