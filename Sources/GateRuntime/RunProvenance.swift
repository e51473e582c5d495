import Crypto
import Foundation
import GateCore
import GateVision

/// A file named in a signed report: where it was, how big, and its SHA-256, so the
/// signer can prove later that the same clip and model were used.
public struct FileIdentity: Codable, Equatable, Sendable {
    public var path: String
    public var bytes: Int64
    public var sha256: String

    public init(path: String, bytes: Int64, sha256: String) {
        self.path = path; self.bytes = bytes; self.sha256 = sha256
    }

    /// Reads the file in 1 MiB chunks (clips and models are tens of MB); nil when it cannot be read.
    public static func of(path: String) -> FileIdentity? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return FileIdentity(path: absolute, bytes: bytes, sha256: digest)
    }

    /// `name (12.3 MB, sha256 0123abcd…)` for tables; the full digest is in the details section.
    public var short: String {
        String(format: "%@ (%.1f MB, sha256 %@…)", (path as NSString).lastPathComponent, Double(bytes) / 1_000_000,
               String(sha256.prefix(12)))
    }
}

/// The 1, 5 and 15 minute load averages: how busy the machine was, so a slow figure can be read fairly.
public struct LoadAverage: Codable, Equatable, Sendable {
    public var one, five, fifteen: Double
    public init(one: Double, five: Double, fifteen: Double) { self.one = one; self.five = five; self.fifteen = fifteen }

    public static func current() -> LoadAverage? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        let f = text.split(separator: " ").prefix(3).compactMap { Double($0) }
        return f.count == 3 ? LoadAverage(one: f[0], five: f[1], fifteen: f[2]) : nil
    }

    public var text: String { String(format: "%.2f / %.2f / %.2f", one, five, fifteen) }
}

/// Who ran the suite, where, and with what exactly: everything a report to sign must name.
/// Captured when the run starts (load at the end is added when it closes) and stored with
/// the run, so `gatewatch test report RUN_ID` writes the same report later.
public struct RunProvenance: Codable, Equatable, Sendable {
    public var operatorName: String
    public var site: String?
    public var version: String
    /// The gatewatch binary that ran the suite, with its checksum (identifies the build exactly).
    public var binary: FileIdentity?
    /// The vision library it loaded (`libGateWatchVision.so`: OpenCV's C ABI, the detectors).
    public var visionLibrary: FileIdentity?
    /// The source commit when the binary was built from a git checkout (`abc123` or `abc123-dirty`).
    public var gitCommit: String?
    public var operatingSystem: String
    public var openCV: String
    /// The person model and its text graph; nil when no scenario needed it or none is installed.
    public var model: [FileIdentity]
    public var machine: MachineInfo
    public var loadAtStart: LoadAverage?
    public var loadAtEnd: LoadAverage?
    public var databasePath: String?
    public var runId: Int64?
    /// How many scenarios the suite had: a stored run with fewer results was stopped part way.
    public var plannedScenarios: Int = 0
    /// A missed speed failed its scenario (`--strict-speed`).
    public var strictSpeed: Bool = false

    public init(operatorName: String, site: String?, version: String, binary: FileIdentity?, gitCommit: String?,
                operatingSystem: String, openCV: String, model: [FileIdentity], machine: MachineInfo,
                loadAtStart: LoadAverage?, loadAtEnd: LoadAverage? = nil, databasePath: String? = nil, runId: Int64? = nil) {
        self.operatorName = operatorName; self.site = site; self.version = version; self.binary = binary
        self.gitCommit = gitCommit; self.operatingSystem = operatingSystem; self.openCV = openCV; self.model = model
        self.machine = machine; self.loadAtStart = loadAtStart; self.loadAtEnd = loadAtEnd
        self.databasePath = databasePath; self.runId = runId
    }

    /// What this process is running on, now. `modelPath` is the `--model` option, if any.
    public static func current(operatorName: String, site: String?, version: String, modelPath: String?,
                               databasePath: String?) -> RunProvenance {
        let exe = Self.executablePath()
        let model = (try? ModelLocator().locate(explicit: modelPath)).flatMap { $0 }
        let openCV = openCVVersion   // loads the vision library, so its path is known below
        var p = RunProvenance(operatorName: operatorName, site: site, version: version,
                              binary: exe.flatMap(FileIdentity.of), gitCommit: exe.flatMap(Self.gitCommit(near:)),
                              operatingSystem: Self.operatingSystem(), openCV: openCV,
                              model: [model?.graph, model?.textGraph].compactMap { $0 }.compactMap(FileIdentity.of),
                              machine: MachineInfo.current(), loadAtStart: LoadAverage.current(),
                              databasePath: databasePath.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        p.visionLibrary = visionLibraryPath.flatMap(FileIdentity.of)
        return p
    }

    static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }

    /// `PRETTY_NAME` from os-release and the kernel release.
    static func operatingSystem() -> String {
        var name = "Linux"
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            name = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return kernel.map { "\(name), kernel \($0)" } ?? name
    }

    /// The commit of the checkout a binary was built in (`.build/…/gatewatch` sits inside it);
    /// nil for an installed binary. Read from `.git` directly: no git needed on a site box.
    static func gitCommit(near binary: String) -> String? {
        var dir = (binary as NSString).deletingLastPathComponent
        while dir.count > 1 {
            let git = (dir as NSString).appendingPathComponent(".git")
            if let commit = GitHead.commit(gitPath: git) { return commit }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return nil
    }
}

/// Reads HEAD's commit from a `.git` folder (or a worktree's `.git` file) without running git.
enum GitHead {
    static func commit(gitPath: String) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gitPath, isDirectory: &isDir) else { return nil }
        var gitDir = gitPath
        if !isDir.boolValue {
            // A worktree: `.git` is a file saying `gitdir: /path`.
            guard let text = try? String(contentsOfFile: gitPath, encoding: .utf8), text.hasPrefix("gitdir:") else { return nil }
            gitDir = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = read(gitDir, "HEAD") else { return nil }
        guard head.hasPrefix("ref:") else { return String(head.prefix(12)) }
        let ref = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        // A worktree keeps shared refs in the common directory.
        let common = read(gitDir, "commondir").map { ($0.hasPrefix("/") ? $0 : (gitDir as NSString).appendingPathComponent($0)) } ?? gitDir
        for dir in [gitDir, common] {
            if let sha = read(dir, ref) { return String(sha.prefix(12)) }
            if let packed = read(dir, "packed-refs"),
               let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                return String(line.prefix(12))
            }
        }
        return nil
    }

    private static func read(_ dir: String, _ name: String) -> String? {
        (try? String(contentsOfFile: (dir as NSString).appendingPathComponent(name), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
