import Foundation
import GateCore
import GateStore

/// What the console remembers between runs (theme and language), in a small `key = value`
/// file: $XDG_CONFIG_HOME/gatewatch/console.conf, else ~/.config/gatewatch/console.conf.
/// Command-line flags win over it; `t` and `L` rewrite it (mode 0600).
public struct ConsoleSettings: Equatable, Sendable {
    public var theme: String?
    public var language: Language?

    public init(theme: String? = nil, language: Language? = nil) { self.theme = theme; self.language = language }

    /// Where the file lives for this environment; nil when neither XDG_CONFIG_HOME nor HOME is set.
    public static func defaultPath(env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let x = env["XDG_CONFIG_HOME"], x.hasPrefix("/") { return x + "/gatewatch/console.conf" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.config/gatewatch/console.conf" }
        return nil
    }

    /// Reads the file. A missing file is no settings; a bad one is ignored as a whole, with
    /// the reason (for one footer line).
    public static func load(path: String) -> (ConsoleSettings, SettingsProblem?) {
        guard FileManager.default.fileExists(atPath: path) else { return (ConsoleSettings(), nil) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return (ConsoleSettings(), .unreadable(path))
        }
        var s = ConsoleSettings()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { return (ConsoleSettings(), .badLine(path, i + 1)) }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "theme" where !value.isEmpty && value.count <= 200 && !value.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } ?? false }):
                s.theme = value
            case "language":
                guard let l = Language(rawValue: value.lowercased()) else { return (ConsoleSettings(), .badValue(path, i + 1, key)) }
                s.language = l
            case "theme": return (ConsoleSettings(), .badValue(path, i + 1, key))
            default: return (ConsoleSettings(), .unknownKey(path, i + 1, key))
            }
        }
        return (s, nil)
    }

    /// Writes the file readable by its owner only (folder created 0700), replacing it whole.
    public func save(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var text = "# GateWatch console settings (written by the console: t changes the theme, L the language)\n"
        if let theme { text += "theme = \(theme)\n" }
        if let language { text += "language = \(language.rawValue)\n" }
        try Export.writeFile(text, to: path, keepExistingMode: false)
    }
}

/// Why the settings file was ignored.
public enum SettingsProblem: Equatable, Sendable {
    case unreadable(String)
    case badLine(String, Int)
    case unknownKey(String, Int, String)
    case badValue(String, Int, String)
}

