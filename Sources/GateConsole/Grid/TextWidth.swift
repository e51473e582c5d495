import Foundation

/// Terminal column widths and the ASCII fold, kept in step with what
/// ncursesw (glibc wcwidth) does so the grid and the screen never disagree.
public enum TextWidth {
    /// Columns a grapheme occupies: 0 (control, zero-width, lone combining mark), 1, or 2 (East Asian wide).
    public static func of(_ c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }  // fast path: ASCII and Latin-1, incl. precomposed Vietnamese base letters
        if isZeroWidth(v) { return 0 }
        return isWide(v) ? 2 : 1
    }

    public static func of(_ s: String) -> Int {
        var n = 0
        for c in s { n += of(c) }
        return n
    }

    static func isZeroWidth(_ v: UInt32) -> Bool {
        switch v {
        case 0x0300...0x036F, 0x0483...0x0489, 0x0591...0x05BD, 0x0610...0x061A, 0x064B...0x065F,
             0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064,
             0x20D0...0x20FF, 0xFE00...0xFE0F, 0xFE20...0xFE2F, 0xFEFF:
            return true
        default:
            return false
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A,
             0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Vietnamese-aware fold to ASCII: decompose, drop the tone and vowel marks,
    /// map đ/Đ (which do not decompose) to d/D; anything else non-ASCII becomes '?'.
    public static func asciiFold(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        var out = String.UnicodeScalarView()
        for u in s.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch u.value {
            case 0x00...0x7F: out.append(u)
            case 0x0300...0x036F: continue
            case 0x0110: out.append("D")
            case 0x0111: out.append("d")
            case 0x00A0: out.append(" ")
            case 0x2013, 0x2014, 0x2500, 0x2212: out.append("-")
            case 0x2026: out.append(contentsOf: "...".unicodeScalars)
            case 0x00B7, 0x2022, 0x25CF: out.append("*")
            case 0x2191: out.append("^")
            case 0x2193: out.append("v")
            case 0x2192: out.append(">")
            case 0x2190: out.append("<")
            case 0x00B0: out.append("o")
            default:
                if isZeroWidth(u.value) { continue }
                out.append("?")
            }
        }
        return String(out)
    }

    /// Fits `s` into `width` columns, ending with an ellipsis when cut.
    public static func truncate(_ s: String, to width: Int, ascii: Bool = false) -> String {
        if width <= 0 { return "" }
        if of(s) <= width { return s }
        let ell = ascii ? "~" : "…"
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w > width - 1 { break }
            out.append(c); used += w
        }
        return out + ell
    }

    /// Splits `s` into lines of at most `width` columns, breaking at spaces where it can
    /// (a word longer than a line, e.g. a URL, is cut across lines). Newlines are kept.
    public static func wrap(_ s: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for para in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = "", used = 0
            for word in para.split(separator: " ", omittingEmptySubsequences: false) {
                var w = String(word), ww = of(w)
                if used > 0 && used + 1 + ww <= width { line += " " + w; used += 1 + ww; continue }
                if used > 0 && ww > width && width - used - 1 >= 8 {
                    // A word longer than any line (a path, a URL) starts right here rather than on a line of its own.
                    var head = "", hw = 0
                    for c in w { if used + 1 + hw + of(c) > width { break }; head.append(c); hw += of(c) }
                    line += " " + head
                    w = String(w.dropFirst(head.count)); ww = of(w)
                }
                if used > 0 { lines.append(line); line = ""; used = 0 }
                while ww > width {   // hard-cut a word wider than the line
                    var head = "", hw = 0
                    for c in w { if hw + of(c) > width && !head.isEmpty { break }; head.append(c); hw += of(c) }
                    lines.append(head)
                    w = String(w.dropFirst(head.count)); ww = of(w)
                }
                line = w; used = ww
            }
            lines.append(line)
        }
        return lines
    }

    /// Pads (or truncates) to exactly `width` columns.
    public static func pad(_ s: String, to width: Int, right: Bool = false, ascii: Bool = false) -> String {
        let t = truncate(s, to: width, ascii: ascii)
        let gap = max(0, width - of(t))
        let spaces = String(repeating: " ", count: gap)
        return right ? spaces + t : t + spaces
    }
}
