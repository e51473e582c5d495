import Foundation

/// The built-in demo site: synthetic feeds that work on any machine, no camera needed.
/// `samples/demo-site.yaml` is the same text (a test keeps them equal).
public enum DemoSite {
    public static let yaml = #"""
# Built-in demo site: synthetic feeds, works on any machine (no camera needed).
# `gatewatch demo` runs this site in-process and opens the console on it.
site:
  name: "Khu du lịch Demo"
  capacity: 60
  time_zone: Asia/Ho_Chi_Minh
  opening_hours: "06:00-22:00"

gates:
  - id: main
    name: "Cổng chính"
    feeds:
      - id: main-cam1
        name: "Camera cổng chính"
        source: "synthetic:kind=both,seed=11,people=14,frames=900,fps=10"
        fps: 10
        realtime: true
        loop: true
        detector: ssdlite
        lines:
          - id: main-line
            name: "Vạch cổng chính"
            from: [0.05, 0.55]
            to: [0.95, 0.55]
            inside: [0.5, 0.9]

  - id: side
    name: "Cổng phụ"
    feeds:
      - id: side-cam1
        name: "Camera cổng phụ (trên cao)"
        source: "synthetic:kind=overhead,seed=21,people=10,frames=900,fps=10"
        fps: 10
        realtime: true
        loop: true
        detector: motion
        lines:
          - id: side-line
            name: "Vạch cổng phụ"
            from: [0.05, 0.55]
            to: [0.95, 0.55]
            inside: [0.5, 0.9]

alerts:
  capacity_warning: 0.8
  capacity_critical: 1.0
  offline_seconds: 20
  surge_per_minute: 40
"""#

    /// `$XDG_STATE_HOME/gatewatch/gatewatch-demo.sqlite` (default ~/.local/state/...).
    public static func defaultDatabasePath() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        let dir = (state as NSString).appendingPathComponent("gatewatch")
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DemoSiteError("cannot create \(dir) for the demo database: \((error as NSError).localizedDescription); pass --db FILE")
        }
        return (dir as NSString).appendingPathComponent("gatewatch-demo.sqlite")
    }
}

public struct DemoSiteError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
