import Foundation
import GateCore
import GateSynth
import GateVision
#if canImport(Glibc)
import Glibc
#endif

/// What check-config verifies about a feed's `source:` so that a site it calls OK is not
/// refused by `run`: a file exists, is a regular readable file and decodes (opened with the
/// real file source, which reads the first frame: /etc/passwd fails here); a `synthetic:`
/// spec parses; a URL is well-formed; a device exists. With `probe`, streams and devices
/// are opened too (bounded by the stream source's open timeout).
public enum SourceCheck {
    /// Why the source cannot be used, or nil when it can. One line; URLs redacted.
    public static func problem(_ uri: String, probe: Bool = false) -> String? {
        let kind: SourceKind
        do { kind = try SourceKind.parse(uri) } catch { return "\(error)" }
        switch kind {
        case .synthetic:
            do { _ = try SceneSpec.parse(uri) } catch { return "\(error)" }
            return nil
        case .file(let path):
            if let p = fileProblem(path) { return p }
            return open(uri)
        case .stream(let url):
            if let p = SourceURL.problem(url) { return p }
            return probe ? open(uri) : nil
        case .device(let dev):
            var st = stat()
            guard stat(dev, &st) == 0 else { return "camera device \(dev) not found; check the camera is connected (ls /dev/video*)" }
            guard (st.st_mode & S_IFMT) == S_IFCHR else { return "\(dev) is not a camera device" }
            return probe ? open(uri) : nil
        }
    }

    private static func fileProblem(_ path: String) -> String? {
        let shown = TextSafety.echo(path, limit: 200)
        var st = stat()
        guard stat(path, &st) == 0 else { return "video file not found: \(shown); check the path (relative paths start from the current folder)" }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "\(shown) is a folder, not a video file" }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return "\(shown) is not a regular video file" }
        guard access(path, R_OK) == 0 else { return "cannot read the video file \(shown); check its permissions" }
        return nil
    }

    /// Opens with the real opener (as `run` will) and closes at once.
    private static func open(_ uri: String) -> String? {
        do {
            let source = try makeFeedSource(uri: uri, realtime: false, loop: false)
            source.close()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
