import Foundation
import GRDB

/// Every failure of the store, as one line for a user: what, where, what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The folder that should hold the database does not exist.
    case directoryMissing(path: String, directory: String)
    /// The folder exists but this user may not create files in it.
    case directoryNotWritable(path: String, directory: String)
    /// The database file exists but this user may not write it.
    case fileNotWritable(path: String)
    /// The database file exists but this user may not read it.
    case fileNotReadable(path: String)
    /// A reader was pointed at a file that does not exist.
    case notFound(path: String)
    /// The path names a directory, not a file.
    case isDirectory(path: String)
    /// The file is not an SQLite database.
    case notADatabase(path: String)
    /// The file is an SQLite database but its pages are damaged.
    case corrupt(path: String, detail: String)
    /// The database is an SQLite file without GateWatch tables (yet).
    case notInitialized(path: String)
    /// The database was migrated by a newer GateWatch.
    case newerSchema(path: String, unknown: [String])
    /// Another process held the lock longer than the busy timeout.
    case locked(path: String, seconds: Double)
    /// Another live pipeline already writes this database.
    case pipelineRunning(path: String, pid: Int)
    /// A write was asked of a database opened read-only.
    case readOnly(path: String)
    /// This user may read the database but `action` needs write access.
    case readOnlyUser(path: String, action: String)
    /// A read-only user on a WAL database whose -wal/-shm files cannot be created.
    case readerNeedsWal(path: String, directory: String)
    /// The file (or its -wal/-shm) is readable by other users and this user cannot tighten it.
    case modeTooOpen(path: String, file: String, mode: Int, owner: Int)
    /// The disk is full.
    case diskFull(path: String)
    /// A value handed to the store is not acceptable.
    case invalidArgument(what: String, detail: String)
    /// Anything else SQLite reported.
    case sqlite(path: String, operation: String, message: String)

    public var description: String {
        switch self {
        case let .directoryMissing(path, dir):
            return "database \(path): folder \(dir) does not exist; create it or choose another --db path"
        case let .directoryNotWritable(path, dir):
            return "database \(path): folder \(dir) is not writable by this user; fix its permissions or choose another --db path"
        case let .fileNotWritable(path):
            return "database \(path): file is not writable by this user; fix its permissions (chmod 600, same owner) or choose another --db path"
        case let .fileNotReadable(path):
            return "database \(path): file is not readable by this user; run as the pipeline's user or fix its permissions"
        case let .notFound(path):
            return "database \(path): file does not exist; start `gatewatch run --db \(path)` first or check the --db path"
        case let .isDirectory(path):
            return "database \(path): is a directory, not a file; give a file path such as \(path)/gatewatch.sqlite"
        case let .notADatabase(path):
            return "database \(path): file is not an SQLite database; check the --db path (it would not be overwritten)"
        case let .corrupt(path, detail):
            return "database \(path): file is corrupt (\(Self.oneLine(detail))); restore a backup or move it aside and start a new one"
        case let .notInitialized(path):
            return "database \(path): has no GateWatch tables yet; start `gatewatch run --db \(path)` or check the --db path"
        case let .newerSchema(path, unknown):
            return "database \(path): was written by a newer GateWatch (schema \(unknown.joined(separator: ","))); upgrade this program or use another --db path"
        case let .locked(path, seconds):
            return "database \(path): locked by another process for more than \(Self.format(seconds)) s; stop the other writer (only one `gatewatch run` per database) or retry"
        case let .pipelineRunning(path, pid):
            return "database \(path): another gatewatch pipeline (pid \(pid)) is writing it; stop that one first or use another --db path"
        case let .readOnly(path):
            return "database \(path): opened read-only, cannot write; open it as the pipeline's writer"
        case let .readOnlyUser(path, action):
            return "database \(path): this user may only read it, and \(action) needs write access; run as the pipeline's user or ask someone who can"
        case let .readerNeedsWal(path, dir):
            return "database \(path): this user may only read it and cannot create its -wal/-shm files in \(dir); start the pipeline on it once (it leaves the file readable alone) or make the folder writable"
        case let .modeTooOpen(path, file, mode, owner):
            return "database \(path): \(file) has mode \(String(mode, radix: 8)), readable by other users, and belongs to uid \(owner), so this user cannot make it 0600; run `chmod 600 \(file)` as its owner or run as that user"
        case let .diskFull(path):
            return "database \(path): disk is full; free space or run retention, then retry"
        case let .invalidArgument(what, detail):
            return "store: invalid \(what): \(Self.oneLine(detail))"
        case let .sqlite(path, operation, message):
            return "database \(path): \(operation) failed: \(Self.oneLine(message)); check the file and retry"
        }
    }

    private static func format(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }

    /// Maps whatever GRDB or SQLite threw into one of the cases above.
    static func from(_ error: Error, path: String, operation: String, timeout: Double) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let dbError = error as? DatabaseError else {
            return .sqlite(path: path, operation: operation, message: oneLine("\(error)"))
        }
        switch dbError.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CORRUPT: return .corrupt(path: path, detail: oneLine(dbError.message ?? "malformed"))
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path, seconds: timeout)
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_READONLY: return .fileNotWritable(path: path)
        case .SQLITE_CANTOPEN: return .fileNotReadable(path: path)
        default:
            return .sqlite(path: path, operation: operation, message: oneLine(dbError.message ?? "\(dbError.resultCode)"))
        }
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
