import ArgumentParser
import Foundation
import GateCore
import GateVision

/// `gatewatch check-config`: validates a site file without running anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a site configuration file and summarise it.",
        discussion: """
            Checks every key and every feed's source: video files exist and decode, synthetic: specs
            parse, URLs are well-formed, camera devices exist. --probe also opens each stream and camera.
            """
    )

    @Argument(help: "The site YAML file.")
    var file: String

    @Flag(help: "Also open every stream and camera once, to check it answers (each within the open timeout).")
    var probe = false

    func run() throws {
        try runReportingErrors {
            let located = try ConfigLoader.loadLocated(path: file)
            let config = located.config
            // The first bad source, named by feed id and the position of its `source:` key.
            for feed in config.feeds {
                if let problem = SourceCheck.problem(feed.source, probe: probe) {
                    throw located.sourceError(feedId: feed.id, problem)
                }
            }
            let lines = config.feeds.reduce(0) { $0 + $1.lines.count }
            print("\(file): OK: site '\(TextSafety.echo(config.site.name))', capacity \(config.site.capacity), "
                  + "\(config.gates.count) gate(s), \(config.feeds.count) feed(s), \(lines) line(s), time zone \(config.site.timeZone)"
                  + (probe ? ", every source opened" : ""))
        }
    }
}
