import GRDB

/// A word read back from a TEXT column (alert kind, state, severity, subject type, test
/// verdict), typed when this GateWatch knows it.
///
/// Unknown words are kept, not refused: a newer GateWatch may add an alert kind or state
/// without a schema change, and `status`, `check` and the console must still show that
/// alert with its stored text rather than fail on every read. Code that acts on the value
/// (the runner restoring open alerts, the report writer) uses `known` and skips or refuses
/// what it cannot act on, saying so. Encodes as the plain stored text.
public enum StoredValue<Value>: Hashable, Sendable
where Value: RawRepresentable & Hashable & Sendable, Value.RawValue == String {
    case known(Value)
    case unknown(String)

    public init(_ value: Value) { self = .known(value) }
    public init(rawValue: String) { self = Value(rawValue: rawValue).map(Self.known) ?? .unknown(rawValue) }

    /// The stored text.
    public var rawValue: String {
        switch self { case .known(let v): return v.rawValue; case .unknown(let text): return text }
    }
    /// The typed value; nil for a word this GateWatch does not know.
    public var known: Value? {
        if case .known(let v) = self { return v }
        return nil
    }
}

extension StoredValue: Codable {
    public init(from decoder: Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// Stored as the plain word (not JSON), so records decode it straight from its TEXT column.
extension StoredValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredValue? {
        String.fromDatabaseValue(dbValue).map(StoredValue.init(rawValue:))
    }
}

extension StoredValue: CustomStringConvertible {
    public var description: String { rawValue }
}

extension Row {
    /// A TEXT column as a `StoredValue` (see there for unknown words).
    func stored<Value>(_ column: String) -> StoredValue<Value> {
        StoredValue(rawValue: self[column] as String)
    }
}
