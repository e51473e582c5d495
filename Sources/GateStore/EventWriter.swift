import Foundation
import GateCore

/// Batches crossing events from any thread onto one serial writer queue.
/// A batch is written when `maxBatch` events wait or every `flushInterval`
/// seconds, whichever comes first, in one transaction
/// that also updates the per-minute rollups. When a write fails the events
/// stay queued and are retried on the next tick (up to `maxPending`).
public final class EventWriter: @unchecked Sendable {
    public typealias CommitHandler = @Sendable (_ events: [CrossingEvent], _ committedAtMs: Int64) -> Void
    public typealias ErrorHandler = @Sendable (_ error: StoreError) -> Void

    private let database: GateDatabase
    private let queue = DispatchQueue(label: "gatewatch.event-writer")
    private let onWriterQueue = DispatchSpecificKey<Bool>()
    private let lock = NSLock()
    private var pending: [CrossingEvent] = []
    private var stats = WriterStats()
    private var timer: DispatchSourceTimer?
    private var closed = false
    private let flushInterval: Double
    private let maxBatch: Int
    private let maxPending: Int
    private let onCommit: CommitHandler?
    private let onError: ErrorHandler?

    /// - Parameters:
    ///   - onCommit: called on the writer queue after each committed batch
    ///     (e.g. to measure frame-to-stored latency).
    ///   - onError: called on the writer queue when a background write fails.
    public init(database: GateDatabase, flushInterval: Double = 0.2, maxBatch: Int = 500,
                maxPending: Int = 200_000, onCommit: CommitHandler? = nil, onError: ErrorHandler? = nil) throws {
        guard database.mode == .writer else { throw StoreError.readOnly(path: database.path) }
        self.database = database
        self.flushInterval = max(0.01, flushInterval)
        self.maxBatch = max(1, maxBatch)
        self.maxPending = max(self.maxBatch, maxPending)
        self.onCommit = onCommit
        self.onError = onError
        queue.setSpecific(key: onWriterQueue, value: true)
        let t = DispatchSource.makeTimerSource(queue: queue)
        let ms = Int(self.flushInterval * 1000)
        t.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(ms), leeway: .milliseconds(ms / 10 + 1))
        t.setEventHandler { [weak self] in self?.backgroundFlush() }
        t.resume()
        timer = t
    }

    deinit { timer?.cancel() }

    /// Queues one event. Never blocks on the database.
    public func append(_ event: CrossingEvent) { append(contentsOf: [event]) }

    public func append(contentsOf events: [CrossingEvent]) {
        if events.isEmpty { return }
        lock.lock()
        if closed { lock.unlock(); return }
        // Past the cap (database failing for a long time) refuse the newest:
        // the front of the queue may be in flight on the writer queue.
        let room = max(0, maxPending - pending.count)
        if events.count > room { stats.dropped += events.count - room }
        pending.append(contentsOf: events.prefix(room))
        let full = pending.count >= maxBatch
        lock.unlock()
        if full { queue.async { [weak self] in self?.backgroundFlush() } }
    }

    /// Writes everything queued so far and returns when it is committed.
    /// Throws the one-line error if the write fails (events stay queued).
    /// Safe to call from `onCommit`/`onError` (already on the writer queue).
    public func flush() throws {
        if DispatchQueue.getSpecific(key: onWriterQueue) != nil { return try writeAll() }
        try queue.sync { try writeAll() }
    }

    /// Flushes, stops the timer, and refuses further events.
    public func close() throws {
        lock.lock(); closed = true; lock.unlock()
        defer { timer?.cancel() }
        try flush()
    }

    public var statistics: WriterStats {
        lock.lock(); defer { lock.unlock() }
        var s = stats
        s.pending = pending.count
        return s
    }

    // MARK: - On the writer queue

    private func backgroundFlush() {
        do { try writeAll() } catch let e as StoreError { onError?(e) } catch {
            onError?(database.wrap(error, "write crossings"))
        }
    }

    private func writeAll() throws {
        while true {
            lock.lock()
            let batch = Array(pending.prefix(maxBatch))
            let lastMs = stats.batches > 0 ? stats.lastWriteMs : nil
            lock.unlock()
            if batch.isEmpty { return }
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try database.insertCrossings(batch, lastWriteMs: lastMs)
            } catch {
                let e = (error as? StoreError) ?? database.wrap(error, "write crossings")
                lock.lock(); stats.failures += 1; stats.lastError = e.description; lock.unlock()
                throw e
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            lock.lock()
            // Only this queue removes, and only from the front, so the batch is still there.
            pending.removeFirst(batch.count)
            stats.batches += 1
            stats.eventsWritten += batch.count
            stats.lastBatchSize = batch.count
            stats.lastWriteMs = ms
            stats.totalWriteMs += ms
            stats.maxWriteMs = max(stats.maxWriteMs, ms)
            stats.lastError = nil
            lock.unlock()
            onCommit?(batch, currentTimeMs())
        }
    }
}
