import ArgumentParser
import Foundation
import GateCore
import GateVision

/// `gatewatch check-config`: validates a site file without running anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a site configuration file and summarise it."
    )

    @Argument(help: "The site YAML file.")
    var file: String

    @Flag(help: "Also open every feed's source once, to check it answers.")
    var probe = false

    func run() throws {
        try runReportingErrors {
            let config = try ConfigLoader.load(path: file)
            for feed in config.feeds {
                _ = try SourceKind.parse(feed.source)   // a bad scheme is a config error too
                if probe {
                    let source = try makeFrameSource(uri: feed.source, realtime: false, loop: false)
                    source.close()
                }
            }
            let lines = config.feeds.reduce(0) { $0 + $1.lines.count }
            print("\(file): OK: site '\(TextSafety.echo(config.site.name))', capacity \(config.site.capacity), "
                  + "\(config.gates.count) gate(s), \(config.feeds.count) feed(s), \(lines) line(s), time zone \(config.site.timeZone)")
        }
    }
}
