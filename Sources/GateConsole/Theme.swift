import Foundation

/// A colour as the theme file gives it: a 256-colour index and its 8-colour fallback (-1 = terminal default).
public struct ThemeColor: Equatable, Sendable {
    public var c256: Int
    public var c8: Int
    public static let terminal = ThemeColor(c256: -1, c8: -1)
}

public struct ThemeStyle: Equatable, Sendable {
    public var fg = ThemeColor.terminal
    public var bg = ThemeColor.terminal
    public var bold = false, dim = false, reverse = false, underline = false
}

public struct ThemeError: Error, CustomStringConvertible {
    public let description: String
}

/// Themes are small text files in `themes/`:
///
///     # comment
///     name = Default dark
///     normal   = 252/white  234/black
///     selected = 16/black   39/cyan    bold
///
/// `role = FG [BG] [bold|dim|reverse|underline ...]`. A colour is `default`, a name
/// (black red green yellow blue magenta cyan white), a 256-colour number, or `N/name`
/// to give the 8-colour fallback explicitly.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var id: String
    public var styles: [Role: ThemeStyle]

    public func style(_ r: Role) -> ThemeStyle { styles[r] ?? styles[.normal] ?? ThemeStyle() }

    static let colorNames = ["black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7]

    /// Nearest of the 8 basic colours for a 256-colour index.
    static func approx8(_ n: Int) -> Int {
        switch n {
        case ..<0: return -1
        case 0...7: return n
        case 8...15: return n - 8
        case 16...231:
            let i = n - 16
            let r = i / 36, g = (i / 6) % 6, b = i % 6
            let bits = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
            if bits == 0 { return (r + g + b) >= 5 ? 7 : 0 }  // dim colours: keep them readable
            return bits
        default: return n >= 244 ? 7 : 0
        }
    }

    static func parseColor(_ tok: String) -> ThemeColor? {
        let parts = tok.lowercased().split(separator: "/", maxSplits: 1).map(String.init)
        func one(_ s: String) -> Int? {
            if s == "default" || s == "none" { return -1 }
            if let n = colorNames[s] { return n }
            if let n = Int(s), n >= 0, n <= 255 { return n }
            return nil
        }
        guard let first = one(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let second = one(parts[1]), second <= 7 else { return nil }
            return ThemeColor(c256: first, c8: second)
        }
        return ThemeColor(c256: first, c8: approx8(first))
    }

    public static func parse(_ text: String, id: String, file: String) throws -> Theme {
        var theme = Theme(name: id, id: id, styles: [:])
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let loc = "\(file):\(i + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError(description: "\(loc): expected `role = colours`, got `\(line)`; see themes/default.theme for the format")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if key == "name" { theme.name = value; continue }
            guard let role = Role(rawValue: key) else {
                throw ThemeError(description: "\(loc): unknown role `\(key)`; known roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var st = ThemeStyle()
            var colours = 0
            for tok in value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
                switch tok.lowercased() {
                case "bold": st.bold = true
                case "dim": st.dim = true
                case "reverse": st.reverse = true
                case "underline": st.underline = true
                default:
                    guard colours < 2, let c = parseColor(tok) else {
                        throw ThemeError(description: "\(loc): `\(tok)` is not a colour (0-255, a name, N/name, default) or attribute (bold dim reverse underline)")
                    }
                    if colours == 0 { st.fg = c } else { st.bg = c }
                    colours += 1
                }
            }
            theme.styles[role] = st
        }
        if theme.styles[.normal] == nil { theme.styles[.normal] = ThemeStyle() }
        return theme
    }

    /// Built-in copy of themes/default.theme so the console works when the folder is not installed.
    public static let builtinDefaultText = """
    name = Default (dark)
    normal = 252/white default
    dim = 244/white default
    title = 45/cyan default bold
    header = 250/white 236/black bold
    border = 240/blue default
    selected = 16/black 45/cyan bold
    accent = 81/cyan default bold
    ok = 77/green default
    warn = 220/yellow default bold
    crit = 203/red default bold
    info = 111/blue default
    tab_active = 16/black 45/cyan bold
    tab_inactive = 250/white 236/black
    status = 250/white 236/black
    banner = 231/white 160/red bold
    input = 231/white 24/blue
    bar = 45/cyan default
    """

    public static var builtinDefault: Theme {
        // The text above is a fixed, valid theme.
        (try? parse(builtinDefaultText, id: "default", file: "<built-in>")) ?? Theme(name: "default", id: "default", styles: [:])
    }

    /// Where theme files are looked for: $GATEWATCH_THEMES, then themes/ beside the
    /// package of the running binary (.build/debug/gatewatch), share/gatewatch/themes, ./themes.
    public static func searchDirectories() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["GATEWATCH_THEMES"], !env.isEmpty { dirs.append(env) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(exe.appendingPathComponent("../../themes").standardized.path)
        dirs.append(exe.appendingPathComponent("../../../themes").standardized.path)
        dirs.append(exe.appendingPathComponent("../share/gatewatch/themes").standardized.path)
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        return dirs
    }

    static let preferredOrder = ["default", "light", "high-contrast", "monochrome"]

    /// Theme ids found in the search directories, in cycling order.
    public static func available(in dirs: [String]) -> [String] {
        var ids = Set<String>()
        for d in dirs {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] where f.hasSuffix(".theme") {
                ids.insert(String(f.dropLast(6)))
            }
        }
        ids.insert("default")
        let known = preferredOrder.filter(ids.contains)
        return known + ids.subtracting(known).sorted()
    }

    /// Loads a theme by id (searching `dirs`) or by path to a `.theme` file.
    public static func load(_ nameOrPath: String, dirs: [String]) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            guard let text = try? String(contentsOfFile: nameOrPath, encoding: .utf8) else {
                throw ThemeError(description: "theme file \(nameOrPath) cannot be read; give a readable .theme file or a name like default, light, high-contrast, monochrome")
            }
            let id = URL(fileURLWithPath: nameOrPath).deletingPathExtension().lastPathComponent
            return try parse(text, id: id, file: nameOrPath)
        }
        for d in dirs {
            let p = d + "/" + nameOrPath + ".theme"
            if let text = try? String(contentsOfFile: p, encoding: .utf8) { return try parse(text, id: nameOrPath, file: p) }
        }
        if nameOrPath == "default" { return builtinDefault }
        throw ThemeError(description: "theme `\(nameOrPath)` not found in \(dirs.joined(separator: ", ")); available: \(available(in: dirs).joined(separator: ", "))")
    }
}
