import Foundation

/// The site file is the one place a camera password is kept (everything else masks it), so it
/// must be readable by its owner only.
public enum ConfigFileSafety {
    /// One line to show when `path` holds a camera credential and other users can read it; nil when fine.
    public static func warning(path: String, config: SiteConfig) -> String? {
        guard config.feeds.contains(where: { redactedURL($0.source) != $0.source }),
              let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber,
              mode.intValue & 0o077 != 0 else { return nil }
        return "warning: \(TextSafety.echo(path)) holds camera passwords and other users can read it "
            + "(mode \(String(format: "%04o", mode.intValue & 0o7777))); run: chmod 600 \(TextSafety.echo(path))"
    }
}
