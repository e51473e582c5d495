import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateVision

/// `gatewatch check-config`: validates a site file without running anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a site configuration file and summarise it.",
        discussion: """
            Checks every key and every feed's source: video files exist and decode, synthetic: specs
            parse, URLs are well-formed, camera devices exist. --probe also opens each stream and camera.
            --keys prints every key of a site file (type, range, default, what it does) as a Markdown
            table; --scenario-keys does the same for acceptance scenario files.
            """
    )

    @Argument(help: "The site YAML file.")
    var file: String?

    @Flag(help: "Also open every stream and camera once, to check it answers (each within the open timeout).")
    var probe = false

    @Flag(help: "Print the reference of every site-file key as a Markdown table, and exit.")
    var keys = false

    @Flag(help: "Print the reference of every acceptance-scenario key as a Markdown table, and exit.")
    var scenarioKeys = false

    func validate() throws {
        if keys && scenarioKeys { throw ValidationError("give --keys or --scenario-keys, not both") }
        if (keys || scenarioKeys) && file != nil { throw ValidationError("--keys and --scenario-keys take no file; drop the file") }
        if !keys && !scenarioKeys && file == nil { throw ValidationError("give the site file to check, e.g. gatewatch check-config site.yaml") }
    }

    func run() throws {
        if keys || scenarioKeys {
            print(ConfigKeys.markdown(keys ? ConfigKeys.site : ConfigKeys.scenario), terminator: "")
            return
        }
        guard let file else { return }
        try runReportingErrors {
            let located = try ConfigLoader.loadLocated(path: file)
            let config = located.config
            // The first bad source, named by feed id and the position of its `source:` key.
            for feed in config.feeds {
                if let problem = SourceCheck.problem(feed.source, probe: probe) {
                    throw located.sourceError(feedId: feed.id, problem)
                }
            }
            // Said only for a file that is otherwise good: a bad file gets its one line.
            if let warning = ConfigFileSafety.warning(path: file, config: config) { printError(warning) }
            let lines = config.feeds.reduce(0) { $0 + $1.lines.count }
            print("\(file): OK: site '\(TextSafety.echo(config.site.name))', capacity \(config.site.capacity), "
                  + "\(config.gates.count) gate(s), \(config.feeds.count) feed(s), \(lines) line(s), time zone \(config.site.timeZone)"
                  + (probe ? ", every source opened" : ""))
        }
    }
}
