import Foundation
import GRDB
import GateCore
#if canImport(Glibc)
import Glibc
#endif

/// One GateWatch database file, opened either as the pipeline's single writer
/// or as one of many read-only readers (consoles, reports, scripts).
public final class GateDatabase: @unchecked Sendable {
    public enum Mode: String, Sendable { case writer, reader }

    public let path: String
    public let mode: Mode
    /// Seconds a statement waits for another process's lock before failing.
    public let busyTimeout: Double
    /// Reads go here in both modes (the pool's readers for the writer).
    let reader: any DatabaseReader
    /// Only set in writer mode.
    let pool: DatabasePool?

    /// Opens (creating if needed, mode 0600) the database for the pipeline:
    /// WAL, synchronous=FULL (a committed transaction survives kill -9 and
    /// power loss), foreign keys on, migrations applied.
    public static func openWriter(path: String, busyTimeout: Double = 5) throws -> GateDatabase {
        let path = Self.normalise(path)
        try checkForWriter(path)
        var config = Configuration()
        config.label = "gatewatch.writer"
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        // Deleted or overwritten content (e.g. a camera URL stored in clear by an
        // older version) is zeroed in the pages being written anyway (FAST: no
        // extra I/O for retention's deletes), not left behind in the file.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = FAST") }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            // After the pool's own WAL setup (which picks NORMAL) on its one writer
            // connection: FULL syncs the WAL on every commit, so a power cut keeps
            // every committed batch, not only kill -9.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.read { db in try Self.checkNotNewer(db, path: path) }
            let pending = try pool.read { try !Schema.migrator.hasCompletedMigrations($0) }
            try Schema.migrator.migrate(pool)
            // Fold a migration into the file at once, so no old page (say, a clear
            // camera password) stays in the main file until a later checkpoint.
            if pending { try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
            return GateDatabase(path: path, mode: .writer, busyTimeout: busyTimeout, reader: pool, pool: pool)
        } catch {
            throw StoreError.from(error, path: path, operation: "open for writing", timeout: busyTimeout)
        }
    }

    /// Opens an existing database read-only, without migrating: the one door for
    /// consoles, reports and scripts. Works while the pipeline writes it (WAL
    /// readers never block the writer) and for a user who may only read the file.
    /// Every refusal is one line: missing, unreadable, a directory, not SQLite,
    /// not GateWatch, written by a newer GateWatch.
    public static func openReader(path: String, busyTimeout: Double = 5) throws -> GateDatabase {
        let path = Self.normalise(path)
        try checkForReader(path)
        var config = Configuration()
        config.label = "gatewatch.reader"
        config.readonly = true
        config.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.read { db in
                try Self.checkNotNewer(db, path: path)
                guard try db.tableExists("crossing"), try db.tableExists("crossing_minute") else {
                    throw StoreError.notInitialized(path: path)
                }
            }
            return GateDatabase(path: path, mode: .reader, busyTimeout: busyTimeout, reader: queue, pool: nil)
        } catch let e as DatabaseError where e.resultCode.primaryResultCode == .SQLITE_READONLY {
            // A read-only user on a WAL database whose -wal/-shm are gone and cannot
            // be created beside it (the pipeline closes in rollback mode, so this is
            // a database left by an older version or copied with its WAL mode).
            throw StoreError.readerNeedsWal(path: path, directory: directory(of: path))
        } catch {
            throw StoreError.from(error, path: path, operation: "open for reading", timeout: busyTimeout)
        }
    }

    /// Whether this user may write the file (acknowledging alerts needs it; watching does not).
    public var isWritableByUser: Bool { userMay(path, W_OK) }

    private init(path: String, mode: Mode, busyTimeout: Double, reader: any DatabaseReader, pool: DatabasePool?) {
        self.path = path; self.mode = mode; self.busyTimeout = busyTimeout
        self.reader = reader; self.pool = pool
    }

    /// Closes every connection (checkpointing the WAL for the writer). Later calls throw.
    public func close() throws {
        do {
            if let pool {
                // Fold the WAL into the file so a closed database is one compact file;
                // best effort: a busy reader elsewhere only delays it to the next open.
                try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
                // Leave the file in rollback-journal mode at rest: a user who may only
                // read it (no right to create -wal/-shm beside it) can then still open
                // it. The next writer switches back to WAL. Best effort: another
                // process still attached keeps it in WAL, which is fine for it.
                pool.releaseMemory()
                try? pool.writeWithoutTransaction { _ = try String.fetchOne($0, sql: "PRAGMA journal_mode = DELETE") }
                try pool.close()
            } else if let q = reader as? DatabaseQueue {
                try q.close()
            }
        } catch {
            throw wrap(error, "close")
        }
    }

    // MARK: - Access used by the writer and the queries

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        guard let pool else { throw StoreError.readOnly(path: path) }
        do { return try pool.write(body) } catch { throw wrap(error, operation) }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do { return try reader.read(body) } catch { throw wrap(error, operation) }
    }

    func wrap(_ error: Error, _ operation: String) -> StoreError {
        StoreError.from(error, path: path, operation: operation, timeout: busyTimeout)
    }

    // MARK: - Checks before SQLite sees the path

    static func normalise(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }

    private static func checkForWriter(_ path: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw StoreError.isDirectory(path: path) }
            if !userMay(path, R_OK) { throw StoreError.fileNotReadable(path: path) }
            if !userMay(path, W_OK) { throw StoreError.fileNotWritable(path: path) }
            try checkHeader(path)
            try tightenModes(path)
            return
        }
        let dir = directory(of: path)
        var dirIsDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &dirIsDir), dirIsDir.boolValue else {
            throw StoreError.directoryMissing(path: path, directory: dir)
        }
        guard userMay(dir, W_OK | X_OK) else {
            throw StoreError.directoryNotWritable(path: path, directory: dir)
        }
        // Create the file ourselves, 0600, before SQLite writes anything into it
        // (SQLite gives the -wal and -shm files the same mode as the database).
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            let err = errno
            if err == EEXIST { return }   // created by someone else in between: use it
            if err == EACCES || err == EROFS { throw StoreError.directoryNotWritable(path: path, directory: dir) }
            throw StoreError.sqlite(path: path, operation: "create", message: String(cString: strerror(err)))
        }
        fchmod(fd, 0o600)   // the umask could only remove bits; make sure of the exact mode
        Glibc.close(fd)
    }

    static func checkForReader(_ path: String) throws {
        var st = stat()
        if stat(path, &st) != 0 {
            // EACCES: a folder on the way may not be searched by this user; the file
            // may well exist, so "not found" would send the user the wrong way.
            if errno == EACCES { throw StoreError.fileNotReadable(path: path) }
            throw StoreError.notFound(path: path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw StoreError.isDirectory(path: path) }
        if !userMay(path, R_OK) { throw StoreError.fileNotReadable(path: path) }
        if st.st_size == 0 { throw StoreError.notInitialized(path: path) }
        try checkHeader(path)
    }

    /// A database restored with `cp` gets the umask's 0644, and SQLite gives its
    /// -wal and -shm the same mode: visitor statistics readable by every local user.
    /// The writer tightens all three to 0600; a file another user owns (which this
    /// user may not chmod) is refused with the reason instead.
    static func tightenModes(_ path: String) throws {
        for file in [path, path + "-wal", path + "-shm"] {
            var st = stat()
            guard stat(file, &st) == 0 else { continue }
            let mode = Int(st.st_mode & 0o777)
            if mode & 0o077 == 0 { continue }
            if (st.st_uid != geteuid() && geteuid() != 0) || chmod(file, 0o600) != 0 {
                throw StoreError.modeTooOpen(path: path, file: file, mode: mode, owner: Int(st.st_uid))
            }
        }
    }

    /// SQLite would treat some non-database files (e.g. a short text file) as
    /// empty databases and happily write into them: refuse anything whose
    /// first bytes are not SQLite's magic, so a wrong --db never gets clobbered.
    private static func checkHeader(_ path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw StoreError.fileNotReadable(path: path) }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return }   // an empty file is an empty database
        if head != Data("SQLite format 3\0".utf8) { throw StoreError.notADatabase(path: path) }
    }

    static func checkNotNewer(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let known = Set(Schema.migrationIdentifiers)
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown.sorted()) }
    }

    static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }
}

// MARK: - Short writes by readers (consoles)

extension GateDatabase {
    /// A console is a reader; its few writes (acknowledging, closing a run it
    /// cancelled) go through a short-lived connection closed at once, so it never
    /// holds a write lock against the pipeline. A user who may only read the
    /// file gets one line saying that `action` needs write access.
    /// `migrating` first brings the schema up to this program's (API keys live in a table a database
    /// written by an older runner lacks); it needs a GateWatch database, never creates one.
    static func shortWrite<T>(path rawPath: String, action: String, migrating: Bool = false,
                              _ body: (Database) throws -> T) throws -> T {
        let path = normalise(rawPath)
        try checkForReader(path)
        if !userMay(path, W_OK) { throw StoreError.readOnlyUser(path: path, action: action) }
        var config = Configuration()
        config.busyMode = .timeout(2)
        config.label = "gatewatch.short-write"
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            try queue.read { db in try checkNotNewer(db, path: path) }
            if migrating {
                guard try queue.read({ try $0.tableExists("crossing") }) else { throw StoreError.notInitialized(path: path) }
                try Schema.migrator.migrate(queue)
            }
            return try queue.write(body)
        } catch let e as DatabaseError where e.resultCode.primaryResultCode == .SQLITE_READONLY
                                          || e.resultCode.primaryResultCode == .SQLITE_CANTOPEN {
            // The file is writable but its -wal/-shm or folder are not.
            throw StoreError.readOnlyUser(path: path, action: action)
        } catch let refused as APIKeyError {
            throw refused   // the body's own answer (a name taken, unknown), not a database failure
        } catch {
            throw StoreError.from(error, path: path, operation: action, timeout: 2)
        }
    }

    /// The console's acknowledge (a short write; see `acknowledgeOpen`).
    public static func acknowledgeAlert(path: String, id: Int64, by who: String, note: String?,
                                        at nowMs: Int64 = currentTimeMs()) throws -> Bool {
        try shortWrite(path: path, action: "acknowledging an alert") { db in
            try acknowledgeOpen(id: id, by: who, note: note, at: nowMs, db: db)
        }
    }

    /// The one acknowledge, for the pipeline's writer and the console alike: only an `open`
    /// alert is acknowledged (a second acknowledge returns false and changes nothing), and
    /// `updated_ms` moves so every console sees it. An empty note is no note.
    static func acknowledgeOpen(id: Int64, by who: String, note: String?, at nowMs: Int64, db: Database) throws -> Bool {
        try db.execute(sql: """
            UPDATE alert SET state = 'acknowledged', ack_by = ?, ack_ms = ?, ack_note = ?, updated_ms = MAX(updated_ms, ?)
            WHERE id = ? AND state = 'open'
            """, arguments: [who, nowMs, note?.isEmpty == false ? note : nil, nowMs, id])
        guard db.changesCount > 0 else { return false }
        try Outbox.alertChanged(id: id, .alertAcknowledged, db: db)
        return true
    }

    /// Closes a run a console cancelled (its child was stopped before it could):
    /// verdict fail, finished now, counts from its results. Only a `running` run is touched.
    public static func closeCancelledRun(path: String, id: Int64, at nowMs: Int64 = currentTimeMs()) throws -> Bool {
        try shortWrite(path: path, action: "closing a cancelled test run") { db in
            try db.execute(sql: """
                UPDATE test_run SET finished_ms = ?, verdict = 'fail',
                    passed = (SELECT COUNT(*) FROM test_result WHERE run_id = ?2 AND verdict = 'pass'),
                    failed = (SELECT COUNT(*) FROM test_result WHERE run_id = ?2 AND verdict IN ('fail', 'error'))
                WHERE id = ?2 AND verdict = 'running'
                """, arguments: [nowMs, id])
            return db.changesCount > 0
        }
    }
}

/// Whether this process's effective user may access `path` (`access()` would ask
/// for the real user, which differs under setuid/sudo-like wrappers).
func userMay(_ path: String, _ mode: Int32) -> Bool {
    faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0
}
