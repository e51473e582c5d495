import ArgumentParser
import Foundation
import GateConsole
import GateCore
import GateRuntime
import GateStore
import GateVision

/// `gatewatch setup SOURCE`: probe a camera or clip, place its counting line on its picture,
/// count for a while with that line, and add the feed to the site file.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Set a camera up: probe it, place its counting line on its picture, count a trial, add it to the site file.",
        discussion: """
            Probes the source (codec, size, frame rate, time to the first picture, dropped frames), shows its
            picture in the terminal (people blurred unless the site says privacy: false) with the line editor
            of the console's Gate screen, counts for --seconds with the line, then asks before adding the feed
            to the gate (the rest of the site file, comments included, is kept; a new file is written when
            --config names none). For scripts: --line and --inside place the line, --yes writes without asking.
            Example: gatewatch setup rtsp://admin:PASS@10.0.0.5/stream1 --config site.yaml --gate main
            """
    )

    @Argument(help: "A video file, rtsp:// or http(s):// URL, /dev/videoN, or synthetic:KEY=VALUE,...")
    var source: String

    @Option(help: "The site YAML file the feed is added to (written new when it does not exist).")
    var config = "site.yaml"

    @Option(help: "The gate the feed belongs to (default: the site's only gate; `main` in a new file).")
    var gate: String?

    @Option(help: "The new feed's id (default: GATE-camN, the first free N).")
    var feedId: String?

    @Option(help: "How long the trial count runs.")
    var seconds: Double = Limits.setupSeconds.defaultValue ?? 10

    @Option(help: "The counting line X1,Y1,X2,Y2 (normalised 0…1): no picture is shown.")
    var line: String?

    @Option(help: "A point X,Y on the inside side of the line (with --line).")
    var inside: String?

    @Flag(help: "Write the feed without asking (scripts).")
    var yes = false

    @Option(help: "Path to the person model; found by itself when installed.")
    var model: String?

    func validate() throws {
        try checkFlag(seconds, Limits.setupSeconds, flag: "--seconds")
        if (line == nil) != (inside == nil) { throw ValidationError("give --line and --inside together") }
    }

    func run() throws {
        try runReportingErrors {
            var plan = try SetupPlan(configPath: config, gate: gate, feedId: feedId, source: source)
            let measured = try SourceProbe.measure(uri: source, seconds: Self.probeSeconds)
            print(Self.describe(measured))
            let problems = ProbeVerdict.problems(measured)
            // No frame after the first: nothing to count with. Slower than real time: said, the installer decides.
            if measured.frames == 0, let none = problems.first { throw CLIError(none) }
            for problem in problems { print("warning: \(problem)") }
            guard let lines = try placeLines(plan) else { print("setup left: nothing was written"); return }
            plan.feed.lines = lines
            plan.feed.fps = measured.declaredFps.map { ($0 * 100).rounded() / 100 }
            let totals: LineTotals
            do { totals = try trialCount(plan.feed) } catch {
                throw CLIError(ProbeVerdict.failure((error as? VisionError)?.message ?? "\(error)", uri: source))
            }
            print("trial \(ConfigLoader.fmtNumber(seconds)) s with \(plan.feed.detector.rawValue): in \(totals.ins), out \(totals.outs)")
            guard try confirmed(plan) else { print("not written: \(plan.configPath) is unchanged" + (yes ? "" : " (add --yes to write without asking)")); return }
            try plan.write()
            print("feed \(plan.feed.id) added to gate \(plan.gateId) in \(plan.configPath)")
        }
    }

    /// Seconds the probe reads after the first picture (enough to see a camera drop frames).
    static let probeSeconds = 3.0

    /// One line: what the source is and what it delivered.
    static func describe(_ m: ProbeMeasurement) -> String {
        let fps = m.declaredFps.map { String(format: "%.2f fps", $0) } ?? "frame rate not declared"
        let rate = String(format: "%d frames in %.1f s (%.1f fps %@)", m.frames, m.seconds, m.deliveredFps, m.live ? "received" : "decoded")
        return "source: codec \(m.codec ?? "—"), \(m.width)x\(m.height), \(fps), first picture after "
            + String(format: "%.0f ms", m.firstFrameMs) + ", \(rate)"
    }

    /// The lines from --line/--inside, or placed on the picture; nil when the installer left.
    func placeLines(_ plan: SetupPlan) throws -> [LineConfig]? {
        let lineId = "\(plan.feed.id)-line1"
        if let line, let inside {
            return [try ConfigLoader.lineFromArguments(line: line, inside: inside, id: lineId, name: "\(plan.feed.name) line 1")]
        }
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw CLIError("no terminal to show the picture on: give the line with --line X1,Y1,X2,Y2 --inside X,Y")
        }
        let still = try EvidenceStill.blurred(feed: plan.feed, at: .first, privacy: plan.privacy, modelPath: model,
                                              warn: { printError($0) })
        let (w, h) = PreviewPicture.size(forSource: still.frame.width, still.frame.height)
        guard let rgb = still.frame.rgb(width: w, height: h) else { throw CLIError("\(redactedURL(source)): the picture cannot be shown") }
        let picture = PreviewPicture(width: w, height: h, rgb: rgb, sourceWidth: still.frame.width, sourceHeight: still.frame.height,
                                     timestampMs: 0, tracks: [], region: nil)
        let language = Language.resolve(nil) ?? .vi
        var screen = LineSetup(title: "setup \(plan.feed.id) \u{B7} \(redactedURL(source))", picture: picture, feedId: plan.feed.id,
                               lines: [], notes: [still.privacy.text(language)], language: language)
        switch try screen.run() {
        case .placed(let lines): return lines
        case .cancelled: return nil
        case .signal(let s): endProcess(bySignal: s)
        }
    }

    /// Counts with `feed`'s lines for `seconds` (a clip may end sooner); the first line's totals.
    func trialCount(_ feed: FeedConfig) throws -> LineTotals {
        let source = try makeFeedSource(uri: feed.source, realtime: SourceKind.isLiveURI(feed.source), loop: false)
        let session = try FeedSession(feed: feed, gateId: "setup", source: source, settings: FeedSessionSettings(modelPath: model))
        nonisolated(unsafe) let running = session
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { running.stop() }
        let summary = try session.run()
        return summary.totals[feed.lines[0].id] ?? LineTotals()
    }

    /// --yes, or y typed at the question on a terminal.
    func confirmed(_ plan: SetupPlan) throws -> Bool {
        if yes { return true }
        guard isatty(STDIN_FILENO) != 0 else { return false }
        print("add feed \(plan.feed.id) to gate \(plan.gateId) in \(plan.configPath)? [y/N] ", terminator: "")
        fflush(stdout)
        return ["y", "yes", "c", "có"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
    }
}

/// Where the new feed goes: the site file (read when it exists), the gate, the feed's id.
struct SetupPlan {
    let configPath: String
    /// The site as read; nil when the file is written new.
    let site: SiteConfig?
    let gateId: String
    var feed: FeedConfig
    /// The site's privacy setting (on in a new file).
    var privacy: Bool { site?.privacy ?? true }

    /// Checks before the camera is opened: the file reads, the gate exists, the feed id is free.
    init(configPath: String, gate: String?, feedId: String?, source: String) throws {
        self.configPath = configPath
        site = FileManager.default.fileExists(atPath: configPath) ? try ConfigLoader.loadLocated(path: configPath).config : nil
        let gates = site?.gates.map(\.id) ?? []
        if let gate {
            guard site == nil || gates.contains(gate) else {
                throw CLIError("\(configPath): no gate '\(TextSafety.echo(gate))'; its gates are: \(gates.joined(separator: ", "))")
            }
            gateId = gate
        } else if let site {
            guard site.gates.count == 1 else {
                throw CLIError("\(configPath) has \(site.gates.count) gates: say which with --gate (\(gates.joined(separator: ", ")))")
            }
            gateId = site.gates[0].id
        } else {
            gateId = "main"
        }
        let taken = Set(site?.feeds.map(\.id) ?? [])
        let prefix = gateId
        let id = feedId ?? (1...).lazy.map { "\(prefix)-cam\($0)" }.first { !taken.contains($0) }!
        guard !taken.contains(id) else {
            throw CLIError("\(configPath): a feed '\(TextSafety.echo(id))' exists already; choose another --feed-id")
        }
        feed = FeedConfig(id: id, name: id, source: source, lines: [])
    }

    /// Appends the feed to the gate (the rest of the file kept), or writes a new site file.
    func write() throws {
        if site != nil {
            try SiteFileEditor.save(path: configPath) { try SiteFileEditor.appendingFeed(in: $0, gateId: gateId, feed: feed, file: configPath) }
        } else {
            let text = try SiteFileEditor.newSite(name: gateId, gateId: gateId, gateName: gateId, feed: feed, file: configPath)
            try Export.writeFile(text, to: configPath, keepExistingMode: false)
        }
    }
}
