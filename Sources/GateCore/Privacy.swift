/// What the privacy setting did to one picture, said on the picture's caption and beside it.
/// A picture is never said to be blurred when no detector looked at it.
public enum PrivacyOutcome: Equatable, Sendable, Codable {
    /// `privacy: false`: people are shown as the camera sees them.
    case off
    /// This many people were found and blurred (0: the detector ran and found nobody).
    case blurred(people: Int)
    /// No detector ran on this picture (it could not be loaded, or failed), so nothing is
    /// blurred; the reason is one line.
    case noDetector(reason: String)

    public func text(_ lang: Language) -> String {
        switch self {
        case .off:
            return lang == .vi ? "riêng tư: tắt (privacy: false), người không bị làm mờ"
                               : "privacy off (privacy: false): people are not blurred"
        case .blurred(let n):
            return lang == .vi ? "riêng tư: đã làm mờ \(n) người" : "privacy: \(n) \(n == 1 ? "person" : "people") blurred"
        case .noDetector(let reason):
            return lang == .vi ? "riêng tư: không có bộ phát hiện người nên không làm mờ gì (\(reason))"
                               : "privacy: no person detector ran, so nothing is blurred (\(reason))"
        }
    }

    /// Vietnamese first, English second, for captions.
    public var bothLanguages: String { "\(text(.vi)) / \(text(.en))" }
}

extension Words {
    /// A crossing's direction: "vào"/"in", "ra"/"out" (report plots, picture labels).
    public static func direction(_ d: Direction, _ lang: Language) -> String {
        switch d {
        case .in: return lang == .vi ? "vào" : "in"
        case .out: return lang == .vi ? "ra" : "out"
        }
    }
}
