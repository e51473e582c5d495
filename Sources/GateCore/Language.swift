import Foundation

/// The language of what GateWatch shows: Vietnamese first. One rule for the console,
/// `status`, `report` and the demo.
public enum Language: String, Sendable, CaseIterable, Codable {
    case vi, en

    /// `--lang` wins (nil for an unknown value); else LC_ALL, LC_MESSAGES, LANG;
    /// Vietnamese unless those say English.
    public static func resolve(_ explicit: String?, env: [String: String] = ProcessInfo.processInfo.environment) -> Language? {
        if let e = explicit { return Language(rawValue: e.lowercased()) }
        for k in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let v = env[k], !v.isEmpty else { continue }
            let l = v.lowercased()
            if l.hasPrefix("en") { return .en }
            if l.hasPrefix("vi") { return .vi }
            if l != "c" && l != "posix" && !l.hasPrefix("c.") { return .vi }
        }
        return .vi
    }
}
