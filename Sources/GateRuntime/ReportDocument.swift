import Foundation

/// The signed acceptance report as a list of blocks, written out as Markdown or HTML, so
/// the two formats cannot drift apart (one list of what the signer must see).
struct ReportDocument {
    enum Block {
        case title(String)
        case heading(String)
        case keyValues([(String, String)])
        /// `verdictColumns`: cells styled pass/fail in HTML.
        case table(header: [String], rows: [[String]], verdictColumns: Set<Int>)
        case bullets([String])
        /// A scenario's pictures, under its name.
        case figures(scenario: String, [ReportFigure])
        case signOff
    }

    var blocks: [Block] = []

    // MARK: content

    static func signed(_ run: SuiteRun, images: ReportImages? = nil) -> ReportDocument {
        let p = run.provenance
        let m = p.machine
        var d = ReportDocument()
        d.blocks.append(.title("Biên bản kiểm thử nghiệm thu / Acceptance test report"))
        let speedLine = run.speedChecked == 0 ? "— (không kịch bản nào đặt yêu cầu / no scenario sets one)"
            : "\(run.speedMet) / \(run.speedChecked) đạt yêu cầu / met"
                + (run.strictSpeed ? " (bắt buộc / strict: a miss fails its scenario)"
                                   : " (báo cáo riêng, không tính vào kết luận / reported apart from the verdict)")
        d.blocks.append(.keyValues([
            ("Khu du lịch / Site", p.site ?? "— (chưa ghi: dùng --site / not given: use --site)"),
            ("Bộ kịch bản / Suite", run.suite),
            ("Người thực hiện / Operator", p.operatorName),
            ("Lần chạy / Run", (p.runId.map { "#\($0)" } ?? "—") + (p.databasePath.map { " — \($0)" } ?? "")),
            ("Ngày / Date", AcceptanceReport.localDate(run.startedMs)),
            ("Thời gian chạy / Duration", String(format: "%.1f s", run.seconds)),
            ("Kết luận (số đếm và cảnh báo) / Verdict (counts and alerts)",
             "\(AcceptanceReport.verdictVi(run.verdict)) (\(run.passed)/\(run.scenarios.count))"
                + (run.complete ? "" : " — dừng giữa chừng / stopped before the last scenario")),
            ("Tốc độ / Speed", speedLine),
        ]))
        d.blocks.append(.heading("Môi trường / Environment"))
        var env: [(String, String)] = [
            ("Phiên bản GateWatch / GateWatch version", p.version + (p.gitCommit.map { ", commit \($0)" } ?? "")),
            ("Tệp chương trình / Binary", p.binary.map { "\($0.path) — sha256 \($0.sha256)" } ?? "—"),
            ("Thư viện thị giác / Vision library", p.visionLibrary.map { "\($0.path) — sha256 \($0.sha256)" } ?? "—"),
            ("Hệ điều hành / OS", p.operatingSystem),
            ("OpenCV", p.openCV),
        ]
        env += p.model.isEmpty ? [("Mô hình / Model", "— (không có: HOG dự phòng / none installed: HOG fallback)")]
            : p.model.map { ("Mô hình / Model", "\($0.path) (\($0.bytes) bytes) — sha256 \($0.sha256)") }
        env += [
            ("Máy / Machine", "\(m.hostname): \(m.cpuModel), \(m.cores) nhân / cores, "
                + String(format: "%.1f GiB", Double(m.memoryBytes) / 1_073_741_824)),
            ("Tải máy lúc bắt đầu / Load at start (1/5/15 min)", p.loadAtStart?.text ?? "—"),
            ("Tải máy lúc kết thúc / Load at end (1/5/15 min)", p.loadAtEnd?.text ?? "—"),
        ]
        d.blocks.append(.keyValues(env))

        d.blocks.append(.heading("Kết quả từng kịch bản / Scenario results"))
        let rows = run.scenarios.enumerated().map { i, r in
            ["\(i + 1)", r.name, AcceptanceReport.expectedCell(r), AcceptanceReport.countedCell(r), AcceptanceReport.errorCell(r),
             AcceptanceReport.verdictVi(r.verdict), AcceptanceReport.speedCell(r), AcceptanceReport.speedVerdictCell(r)]
        }
        d.blocks.append(.table(header: ["#", "Kịch bản / Scenario", "Mong đợi (ngưỡng) / Expected (threshold)",
                                        "Đếm được / Counted", "Sai số / Error", "Kết quả / Verdict",
                                        "Tốc độ so với chỉ giải mã / Speed against decode-only", "Yêu cầu tốc độ / Speed requirement"],
                               rows: rows, verdictColumns: [5]))

        d.blocks.append(.heading("Tổng hợp / Totals"))
        let t = AcceptanceReport.totals(run)
        var crossings = "Lượt qua mong đợi / Expected crossings: \(t.expected); đếm được / counted: \(t.counted); "
            + "tổng sai số tuyệt đối / total absolute error: \(t.absError)"
        if t.expected > 0 { crossings += String(format: " (%.1f%%)", Double(t.absError) * 100 / Double(t.expected)) }
        var totals = ["Kịch bản đạt / Scenarios passed: \(run.passed) / \(run.scenarios.count)", crossings]
        if run.knownWeaknesses > 0 {
            totals.insert("Điểm yếu đã biết (báo cáo, không tính trượt) / Known weaknesses (reported, not failed): \(run.knownWeaknesses)", at: 1)
        }
        d.blocks.append(.bullets(totals))

        let differences = run.scenarios.flatMap { r in
            r.failures.map { "**\(r.name)**: \($0)" }
                + (r.verdict == .knownWeakness ? ["**\(r.name)**: \(AcceptanceReport.knownWeaknessNote(r))"] : [])
        }
        if !differences.isEmpty {
            d.blocks.append(.heading("Sai lệch / Differences"))
            d.blocks.append(.bullets(differences))
        }
        let speedNotes = run.strictSpeed ? [] : run.scenarios.compactMap { r in r.speed.note.map { "**\(r.name)**: \($0)" } }
        if !speedNotes.isEmpty {
            d.blocks.append(.heading("Tốc độ chưa đạt (không tính vào kết luận) / Speed missed (not part of the verdict)"))
            d.blocks.append(.bullets(speedNotes))
        }

        d.blocks.append(.heading("Mô tả kịch bản / Scenario descriptions"))
        d.blocks.append(.bullets(run.scenarios.map { r in
            var source = "nguồn / source: `\(r.source)`"
            if let c = r.clip { source += ", \(c.bytes) bytes, sha256 `\(c.sha256)`" }
            return "**\(r.name)** (`\(r.file)`): " + (r.description.isEmpty ? source : "\(r.description) — \(source)")
        }))
        if let images { d.blocks += evidence(run, images) }
        d.blocks.append(.heading("Ký xác nhận / Sign-off"))
        d.blocks.append(.signOff)
        return d
    }

    /// Each scenario's still and plot, under a heading that says how the pictures were made.
    static func evidence(_ run: SuiteRun, _ images: ReportImages) -> [Block] {
        var blocks: [Block] = [
            .heading("Hình minh chứng / Evidence"),
            .bullets(["Người trong ảnh được làm mờ; không ảnh nào được lưu trong cơ sở dữ liệu, ảnh được lấy lại từ nguồn mỗi lần viết biên bản "
                      + "/ People in the pictures are blurred; no picture is stored in the database, each is taken again from the source when the report is written"]),
        ]
        for (r, figures) in zip(run.scenarios, images.scenarios) where !figures.isEmpty {
            blocks.append(.figures(scenario: r.name, figures))
        }
        return blocks
    }

    static let signOffHeader = ["", "Đại diện Sở Du lịch / Department representative", "Đại diện nhà thầu / Contractor"]
    static let signOffRows = ["Họ và tên / Name", "Chữ ký / Signature", "Ngày / Date"]

    // MARK: Markdown

    /// `imageFolder`: where the pictures are written, relative to the report (nil: not written,
    /// e.g. a report on standard output; their captions are listed instead).
    func markdown(imageFolder: String? = nil) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        func table(_ header: [String], _ rows: [[String]]) -> String {
            var s = "| " + header.map(cell).joined(separator: " | ") + " |\n"
            s += "|" + String(repeating: "---|", count: header.count) + "\n"
            for r in rows { s += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
            return s
        }
        var out: [String] = []
        for b in blocks {
            switch b {
            case .title(let t): out.append("# \(t)")
            case .heading(let t): out.append("## \(t)")
            case .keyValues(let kv): out.append(table(["", ""], kv.map { [$0.0, $0.1] }))
            case .table(let header, let rows, _): out.append(table(header, rows))
            case .bullets(let items): out.append(items.map { "- " + $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n"))
            case .figures(let name, let figures):
                out.append("### \(cell(name))\n\n" + figures.map { f in
                    guard f.bytes != nil, let imageFolder else {
                        return "- \(f.caption): " + (f.missing ?? "không ghi ảnh khi biên bản ra màn hình / pictures are not written when the report goes to standard output")
                    }
                    return "![\(cell(f.caption))](\(imageFolder.replacingOccurrences(of: " ", with: "%20"))/\(f.fileName))"
                }.joined(separator: "\n\n"))
            case .signOff: out.append(table(Self.signOffHeader, Self.signOffRows.map { [$0, "", ""] }))
            }
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    // MARK: HTML

    func html(title: String) -> String {
        func h(_ s: String) -> String { AcceptanceReport.xml(s) }
        /// The bullets' light Markdown (**bold**, `code`) as HTML.
        func inline(_ s: String) -> String {
            var out = "", bold = false, code = false
            var rest = Substring(h(s))
            while let c = rest.first {
                if rest.hasPrefix("**") { out += bold ? "</b>" : "<b>"; bold.toggle(); rest = rest.dropFirst(2); continue }
                if c == "`" { out += code ? "</code>" : "<code>"; code.toggle(); rest = rest.dropFirst(); continue }
                out.append(c); rest = rest.dropFirst()
            }
            return out + (code ? "</code>" : "") + (bold ? "</b>" : "")
        }
        func verdictClass(_ text: String) -> String {
            text.contains("KNOWN") ? "known" : text.contains("PASS") ? "pass" : (text.contains("ERROR") ? "error" : "fail")
        }
        var s = """
        <!DOCTYPE html>
        <html lang="vi"><head><meta charset="utf-8">
        <title>\(h(title))</title>
        <style>
        body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #888;padding:.3em .6em;text-align:left;vertical-align:top}
        .pass{color:#060;font-weight:bold}.fail,.error{color:#a00;font-weight:bold}.known{color:#a60;font-weight:bold}.sign td{height:3em;min-width:16em}
        figure{margin:1em 0}img{max-width:100%;border:1px solid #888}figcaption{font-size:.9em;color:#444}
        </style></head><body>

        """
        for b in blocks {
            switch b {
            case .title(let t): s += "<h1>\(h(t))</h1>\n"
            case .heading(let t): s += "<h2>\(h(t))</h2>\n"
            case .keyValues(let kv):
                s += "<table>\n" + kv.map { k, v in
                    let cls = k.hasPrefix("Kết luận") ? " class=\"\(verdictClass(v))\"" : ""
                    return "<tr><th>\(h(k))</th><td\(cls)>\(h(v))</td></tr>\n"
                }.joined() + "</table>\n"
            case .table(let header, let rows, let verdictColumns):
                s += "<table><tr>" + header.map { "<th>\(h($0))</th>" }.joined() + "</tr>\n"
                for r in rows {
                    s += "<tr>" + r.enumerated().map { i, c in
                        verdictColumns.contains(i) ? "<td class=\"\(verdictClass(c))\">\(h(c))</td>" : "<td>\(h(c))</td>"
                    }.joined() + "</tr>\n"
                }
                s += "</table>\n"
            case .bullets(let items): s += "<ul>\n" + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>\n"
            case .figures(let name, let figures):
                s += "<h3>\(h(name))</h3>\n" + figures.map { f in
                    guard let bytes = f.bytes else { return "<p>\(h(f.caption)): \(h(f.missing ?? "—"))</p>\n" }
                    return "<figure><img alt=\"\(h(f.caption))\" src=\"data:\(f.mimeType);base64,\(bytes.base64EncodedString())\">"
                        + "<figcaption>\(h(f.caption))</figcaption></figure>\n"
                }.joined()
            case .signOff:
                s += "<table class=\"sign\"><tr>" + Self.signOffHeader.map { "<th>\(h($0))</th>" }.joined() + "</tr>\n"
                s += Self.signOffRows.map { "<tr><th>\(h($0))</th><td></td><td></td></tr>\n" }.joined() + "</table>\n"
            }
        }
        return s + "</body></html>\n"
    }
}
