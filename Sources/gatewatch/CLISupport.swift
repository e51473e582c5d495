import ArgumentParser
import Foundation
import GateCore
import GateStore

/// Prints one line to standard error, prefixed with the program name.
func printError(_ line: String) {
    FileHandle.standardError.write(Data("gatewatch: \(TextSafety.echo(line, limit: 2000))\n".utf8))
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

/// An error as one line: line breaks and control characters shown escaped (`\r\n`), so text
/// from a config cannot forge further lines; a trailing newline is just dropped.
func oneLine(_ error: Error) -> String {
    let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
    return TextSafety.echo(text.trimmingCharacters(in: .newlines), limit: 2000)
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

/// Checks a numeric flag against its one range in GateCore's `Limits` table
/// (NaN and infinities included): a bad value is one line naming the flag.
func checkFlag(_ value: Double?, _ limit: NumericLimit, flag: String) throws {
    guard let value, let problem = limit.problem(value) else { return }
    throw ValidationError("\(flag) \(problem)")
}

func checkFlag(_ value: Int?, _ limit: NumericLimit, flag: String) throws {
    try checkFlag(value.map(Double.init), limit, flag: flag)
}
