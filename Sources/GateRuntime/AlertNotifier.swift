import Foundation
import GateCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The JSON an `on_alert` command receives on standard input.
public struct AlertNotice: Codable, Equatable, Sendable {
    public var site: String
    public var change: String          // raise | update | resolve
    public var kind: String
    public var subject: String         // "site", gate id or feed id
    public var subjectType: String     // site | gate | feed
    public var severity: String        // info | warning | critical
    public var value: Double?
    public var messageEn: String
    public var messageVi: String
    public var atMs: Int64
    public var at: String              // ISO 8601, UTC
    public var raisedMs: Int64
    public var alertId: Int64?

    public init(_ t: AlertTransition, site: String, alertId: Int64? = nil) {
        self.site = site; change = t.change.rawValue; kind = t.kind.rawValue; subject = t.subject.id
        subjectType = t.subject.type.rawValue; severity = t.severity.rawValue; value = t.value
        messageEn = t.messageEn; messageVi = t.messageVi; atMs = t.atMs; raisedMs = t.raisedMs
        self.alertId = alertId
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        at = f.string(from: Date(timeIntervalSince1970: Double(t.atMs) / 1000))
    }

    enum CodingKeys: String, CodingKey {
        case site, change, kind, subject, subjectType = "subject_type", severity, value
        case messageEn = "message_en", messageVi = "message_vi", atMs = "at_ms", at
        case raisedMs = "raised_ms", alertId = "alert_id"
    }

    public func json() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)) ?? Data("{}".utf8)
    }
}

/// Runs the site's `on_alert` shell command for each alert transition, with the
/// alert as JSON on standard input. Commands run one at a time on the notifier's
/// own thread, so a slow SMS/Zalo gateway never holds up the pipeline; a command
/// that outlives the timeout is killed with its whole process group; a failure
/// is one log line, never an error for the caller.
public final class AlertNotifier: @unchecked Sendable {
    public enum Outcome: Equatable, Sendable {
        case ok
        case failed(exitCode: Int32, stderr: String)
        case killedBySignal(Int32)
        case timedOut
        case couldNotStart(String)
    }

    public let command: String
    public let timeoutSeconds: Double
    public let siteName: String
    /// Notices waiting beyond this are dropped (oldest first), with a log line.
    public let maxPending: Int
    private let log: @Sendable (String) -> Void

    private let cond = NSCondition()
    private var queue: [AlertNotice] = []
    private var busy = false
    private var stopped = false
    private var thread: Thread?

    public static let logToStderr: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public init(command: String, timeoutSeconds: Double, siteName: String, maxPending: Int = 100,
                log: @escaping @Sendable (String) -> Void = AlertNotifier.logToStderr) {
        self.command = command; self.timeoutSeconds = max(0.1, timeoutSeconds); self.siteName = siteName
        self.maxPending = max(1, maxPending); self.log = log
    }

    /// A notifier for the site's `on_alert` setting, or nil when none is set.
    public convenience init?(settings: AlertSettings, siteName: String,
                             log: @escaping @Sendable (String) -> Void = AlertNotifier.logToStderr) {
        guard let cmd = settings.onAlert?.trimmingCharacters(in: .whitespacesAndNewlines), !cmd.isEmpty else { return nil }
        self.init(command: cmd, timeoutSeconds: settings.onAlertTimeoutSeconds, siteName: siteName, log: log)
    }

    deinit { stop() }

    /// Queue one transition; returns at once.
    public func notify(_ t: AlertTransition, alertId: Int64? = nil) {
        enqueue(AlertNotice(t, site: siteName, alertId: alertId))
    }

    public func enqueue(_ notice: AlertNotice) {
        cond.lock()
        defer { cond.unlock() }
        guard !stopped else { return }
        if queue.count >= maxPending {
            let dropped = queue.removeFirst()
            log("on_alert: \(maxPending) notices waiting, dropped the oldest (\(dropped.change) \(dropped.kind) \(dropped.subject)); the command is too slow for the alert rate")
        }
        queue.append(notice)
        if thread == nil {
            let t = Thread { [weak self] in self?.worker() }
            t.name = "gatewatch.on_alert"
            thread = t
            t.start()
        }
        cond.broadcast()
    }

    /// Waits until every queued notice has been handled; false on timeout.
    @discardableResult
    public func waitUntilIdle(timeoutSeconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeoutSeconds)
        cond.lock()
        defer { cond.unlock() }
        while !queue.isEmpty || busy {
            if !cond.wait(until: deadline) { return queue.isEmpty && !busy }
        }
        return true
    }

    /// Stops the worker after the command running now (queued notices are dropped).
    public func stop() {
        cond.lock(); stopped = true; queue.removeAll(); cond.broadcast(); cond.unlock()
    }

    private func worker() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopped { cond.wait() }
            if stopped { cond.unlock(); return }
            let notice = queue.removeFirst()
            busy = true
            cond.unlock()

            let outcome = run(input: notice.json())
            if let line = Self.describe(outcome, notice: notice, command: command, timeout: timeoutSeconds) { log(line) }

            cond.lock(); busy = false; cond.broadcast(); cond.unlock()
        }
    }

    static func describe(_ o: Outcome, notice: AlertNotice, command: String, timeout: Double) -> String? {
        let what = "on_alert: command for \(notice.change) \(notice.kind) \(notice.subject)"
        let fix = "check the on_alert command in the site config"
        switch o {
        case .ok: return nil
        case .failed(let code, let err):
            return "\(what) exited with status \(code)\(err.isEmpty ? "" : ": \(err)"); \(fix)"
        case .killedBySignal(let s):
            return "\(what) was killed by signal \(s); \(fix)"
        case .timedOut:
            return "\(what) did not finish within \(fmtSeconds(timeout)) s and was killed; \(fix) or raise on_alert_timeout"
        case .couldNotStart(let why):
            return "\(what) could not start (\(why)); \(fix)"
        }
    }

    /// Runs the command once, synchronously, with `input` on its standard input.
    /// Public for tests and for `gatewatch` to try a command by hand.
    public func run(input: Data) -> Outcome {
        // Writing to a command that exits without reading its input must not kill us:
        // SIGPIPE is blocked on this thread while we write (and taken off if raised).
        var pipeSet = sigset_t(), oldMask = sigset_t()
        sigemptyset(&pipeSet); sigaddset(&pipeSet, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSet, &oldMask)
        defer { pthread_sigmask(SIG_SETMASK, &oldMask, nil) }

        var inFds: [Int32] = [-1, -1], errFds: [Int32] = [-1, -1]
        guard pipe(&inFds) == 0 else { return .couldNotStart("pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errFds) == 0 else {
            close(inFds[0]); close(inFds[1])
            return .couldNotStart("pipe: \(String(cString: strerror(errno)))")
        }
        // Our ends must not leak into other children.
        _ = fcntl(inFds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(errFds[0], F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inFds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errFds[1], 2)
        posix_spawn_file_actions_addclose(&actions, inFds[0])
        posix_spawn_file_actions_addclose(&actions, errFds[1])

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own process group (so a timeout kills the shell's children too),
        // default SIGPIPE and an empty signal mask for the command.
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t(); sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t(); sigemptyset(&defaults); sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let args = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ)
        close(inFds[0]); close(errFds[1])
        guard rc == 0 else {
            close(inFds[1]); close(errFds[0])
            return .couldNotStart("/bin/sh: \(String(cString: strerror(rc)))")
        }

        writeAll(inFds[1], input)
        close(inFds[1])

        _ = fcntl(errFds[0], F_SETFL, fcntl(errFds[0], F_GETFL) | O_NONBLOCK)
        var stderrBytes = [UInt8]()
        func drain() {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(errFds[0], &buf, buf.count)
                if n <= 0 { break }
                if stderrBytes.count < 4096 { stderrBytes += buf[0..<n] }
            }
        }

        let deadline = Date(timeIntervalSinceNow: timeoutSeconds)
        var status: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            drain()
            if Date() >= deadline {
                timedOut = true
                kill(-pid, SIGTERM)
                let grace = Date(timeIntervalSinceNow: 1)
                while waitpid(pid, &status, WNOHANG) == 0 && Date() < grace { usleep(10_000) }
                kill(-pid, SIGKILL)   // the group may outlive the shell
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(10_000)
        }
        drain()
        close(errFds[0])

        if timedOut { return .timedOut }
        let sig = status & 0x7f
        if sig != 0 { return .killedBySignal(sig) }
        let code = (status >> 8) & 0xff
        if code == 0 { return .ok }
        let text = String(decoding: stderrBytes, as: UTF8.self)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .failed(exitCode: code, stderr: String(firstLine.prefix(200)))
    }

    /// Writes everything, tolerating a reader that has gone away (EPIPE).
    private func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let n = write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { consumePendingSigpipe() }
                    return
                }
                left -= n; p += n
            }
        }
    }

    /// EPIPE leaves a SIGPIPE pending on this thread (it is blocked here); take it off.
    private func consumePendingSigpipe() {
        var set = sigset_t()
        sigemptyset(&set); sigaddset(&set, SIGPIPE)
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&set, nil, &zero)
    }
}

private func fmtSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
}
