import Foundation
import GRDB
import GateCore

/// Unresolved alerts of one severity and state, as counted for metrics.
public struct AlertTally: Equatable, Sendable {
    public var severity: String
    public var state: String
    public var count: Int
}

// Reads for the site HTTP API: pages of crossings by row id and alert tallies. Each is
// one read transaction with bound arguments, like every other read here.
extension StoreQueries {
    /// Up to `limit` crossings with a row id above `afterId`, oldest row first: ids only
    /// grow, so a reader that pages by them sees each crossing once, even while the
    /// pipeline writes; `gateId` keeps one gate's.
    public func crossings(afterId: Int64, limit: Int, gateId: String? = nil) throws -> [CrossingRow] {
        try database.read("read crossings") { db in
            var sql = "SELECT * FROM crossing WHERE id > ?"
            var args: [DatabaseValueConvertible?] = [afterId]
            if let gateId { sql += " AND gate_id = ?"; args.append(gateId) }
            sql += " ORDER BY id LIMIT ?"; args.append(max(0, limit))
            return try CrossingRow.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    /// Open and acknowledged alerts counted by severity and state (resolved ones are history).
    public func unresolvedAlertTallies() throws -> [AlertTally] {
        try database.read("count alerts") { db in
            try Row.fetchAll(db, sql: """
                SELECT severity, state, COUNT(*) AS n FROM alert WHERE state != 'resolved'
                GROUP BY severity, state ORDER BY severity, state
                """).map { AlertTally(severity: $0["severity"], state: $0["state"], count: $0["n"]) }
        }
    }
}
