import ArgumentParser
import Foundation
import GateStore

/// Prints one line to standard error, prefixed with the program name.
func printError(_ line: String) {
    FileHandle.standardError.write(Data("gatewatch: \(line)\n".utf8))
}

/// Runs a command body; any error becomes one line on standard error and exit code 1
/// (no stack traces, no usage dump for problems that are not about the arguments).
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let e as CleanExit {
        throw e
    } catch {
        printError(oneLine(error))
        throw ExitCode.failure
    }
}

func oneLine(_ error: Error) -> String {
    let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}

/// Writes text to a file path, or to standard output for "-".
func writeOutput(_ text: String, to path: String?) throws {
    guard let path, path != "-" else { print(text, terminator: text.hasSuffix("\n") ? "" : "\n"); return }
    // Created 0600 (visitor statistics), atomically; GateStore's one-line error on failure.
    try Export.writeFile(text, to: path)
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Stops long-running commands cleanly on SIGINT/SIGTERM (and SIGHUP when asked).
final class StopSignal: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let semaphore = DispatchSemaphore(value: 0)
    private(set) var received: Int32?

    init(signals: [Int32] = [SIGINT, SIGTERM], onStop: @escaping @Sendable (Int32) -> Void) {
        for s in signals {
            signal(s, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: s, queue: .global())
            src.setEventHandler { [weak self] in
                guard let self, self.received == nil else { return }
                self.received = s
                onStop(s)
                self.semaphore.signal()
            }
            src.resume()
            sources.append(src)
        }
    }
}
