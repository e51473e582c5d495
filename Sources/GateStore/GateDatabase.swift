import Foundation
import GRDB
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
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            // After the pool's own WAL setup (which picks NORMAL) on its one writer
            // connection: FULL syncs the WAL on every commit, so a power cut keeps
            // every committed batch, not only kill -9.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.read { db in try Self.checkNotNewer(db, path: path) }
            try Schema.migrator.migrate(pool)
            return GateDatabase(path: path, mode: .writer, busyTimeout: busyTimeout, reader: pool, pool: pool)
        } catch {
            throw StoreError.from(error, path: path, operation: "open for writing", timeout: busyTimeout)
        }
    }

    /// Opens an existing database read-only, without migrating. Works while
    /// the pipeline writes it (WAL readers never block the writer).
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
        } catch {
            throw StoreError.from(error, path: path, operation: "open for reading", timeout: busyTimeout)
        }
    }

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
            if access(path, R_OK) != 0 { throw StoreError.fileNotReadable(path: path) }
            if access(path, W_OK) != 0 { throw StoreError.fileNotWritable(path: path) }
            try checkHeader(path)
            return
        }
        let dir = directory(of: path)
        var dirIsDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &dirIsDir), dirIsDir.boolValue else {
            throw StoreError.directoryMissing(path: path, directory: dir)
        }
        guard access(dir, W_OK | X_OK) == 0 else {
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

    private static func checkForReader(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw StoreError.notFound(path: path)
        }
        if isDir.boolValue { throw StoreError.isDirectory(path: path) }
        if access(path, R_OK) != 0 { throw StoreError.fileNotReadable(path: path) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size == 0 { throw StoreError.notInitialized(path: path) }
        try checkHeader(path)
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

    private static func checkNotNewer(_ db: Database, path: String) throws {
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
