import Foundation
import GRDB
import GateCore

// How the store's plain values map to table rows: GRDB records (Codable), one place.
// Columns are the snake_case of the Swift names, so the types keep their camelCase
// Codable keys (the JSON of `status --json`, exports and reports does not change);
// a column with another name is listed in `renamed`.

/// GRDB's snake_case strategies plus the columns whose name is not the property's.
enum ColumnNames {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Column name -> property name, for the few columns named differently.
    static func decoding(renamed: [String: String]) -> DatabaseColumnDecodingStrategy {
        .custom { column in Key(renamed[column] ?? camelCase(column)) }
    }

    static func encoding(renamed: [String: String]) -> DatabaseColumnEncodingStrategy {
        let byProperty = Dictionary(uniqueKeysWithValues: renamed.map { ($0.value, $0.key) })
        return .custom { key in byProperty[key.stringValue] ?? snakeCase(key.stringValue) }
    }

    static func camelCase(_ column: String) -> String {
        let parts = column.split(separator: "_")
        guard let first = parts.first else { return column }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func snakeCase(_ property: String) -> String {
        var out = ""
        for c in property {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}

extension GateRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "gate"
}

extension LineRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "line"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// Written from the config (`syncSite`); read back with the stored rate pulled into
/// GateCore's range (a hand-edited 1e20 or text must not crash `status`).
extension FeedRow: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "feed"
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public init(row: Row) throws {
        self.init(id: row["id"], gateId: row["gate_id"], name: row["name"], source: row["source"],
                  expectedFps: StoreQueries.storedFps(row["expected_fps"]), detector: row["detector"],
                  detectRegion: row["detect_region"] ?? "full", cadence: row["cadence"] ?? CadenceMode.adaptive.rawValue)
    }
}

/// Capacity and thresholds are pulled into range as they are read (see `StoreQueries.storedCapacity`).
extension SiteRow: FetchableRecord {
    public init(row: Row) throws {
        self.init(name: row["name"], capacity: StoreQueries.storedCapacity(row["capacity"]) ?? 0, timeZone: row["time_zone"],
                  openMinute: row["open_minute"], closeMinute: row["close_minute"],
                  configPath: row["config_path"], updatedMs: row["updated_ms"], thresholds: StoreQueries.thresholds(row))
    }
}

extension CrossingRow: FetchableRecord {
    public static let databaseColumnDecodingStrategy = ColumnNames.decoding(renamed: ["ts_ms": "timestampMs"])
}

extension FeedHealth: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "feed_health"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension FeedHealthMinute: FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

extension PipelineStatus: FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

extension TestRunRow: FetchableRecord {
    public static let databaseColumnDecodingStrategy = ColumnNames.decoding(renamed: ["provenance": "provenanceJSON"])
}

extension TestResultRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "test_result"
    static let renamed = ["report": "reportJSON"]
    public static let databaseColumnDecodingStrategy = ColumnNames.decoding(renamed: renamed)
    public static let databaseColumnEncodingStrategy = ColumnNames.encoding(renamed: renamed)
}
