import Foundation
import VeritasProtocol

/// What a fetched row offers the shared decoding, implemented once per database: values by
/// position, `nil` when the column is NULL or not of the asked kind.
package protocol StoredRowColumns {
    func isNull(_ index: Int) -> Bool
    func text(_ index: Int) -> String?
    func integer(_ index: Int) -> Int?
    func real(_ index: Int) -> Double?
    /// The stored value as a log can show it, for corrupt-row errors.
    func describe(_ index: Int) -> String
}

/// Reads the columns of one fetched row by position, turning each into a model value or throwing
/// ``AuditStoreError/Code/corruptRow`` with the table, column and value.
///
/// The database clients' own typed accessors stop the process (GRDB) or throw their own errors on a
/// value of the wrong type; a damaged or hand-edited database must instead fail one read with a
/// clear error, the same from SQLite and PostgreSQL.
package struct StoredRowReader<Columns: StoredRowColumns> {
    package let columns: Columns
    package let table: String

    package init(_ columns: Columns, table: String) {
        self.columns = columns
        self.table = table
    }

    private func corrupt(_ index: Int, _ column: String, expected: String) -> AuditStoreError {
        AuditStoreError(.corruptRow, "\(table).\(column) holds \(columns.describe(index)); expected \(expected)")
    }

    package func isNull(_ index: Int) -> Bool {
        columns.isNull(index)
    }

    package func text(_ index: Int, _ column: String) throws(AuditStoreError) -> String {
        guard let text = columns.text(index) else { throw corrupt(index, column, expected: "text") }
        return text
    }

    package func optionalText(_ index: Int, _ column: String) throws(AuditStoreError) -> String? {
        isNull(index) ? nil : try text(index, column)
    }

    package func int(_ index: Int, _ column: String) throws(AuditStoreError) -> Int {
        guard let number = columns.integer(index) else { throw corrupt(index, column, expected: "an integer") }
        return number
    }

    package func optionalInt(_ index: Int, _ column: String) throws(AuditStoreError) -> Int? {
        isNull(index) ? nil : try int(index, column)
    }

    package func double(_ index: Int, _ column: String) throws(AuditStoreError) -> Double {
        guard let number = columns.real(index) else { throw corrupt(index, column, expected: "a number") }
        return number
    }

    /// A vocabulary value stored as its raw text (`tier`, `status`, `severity`, ...).
    package func enumeration<Value: RawRepresentable>(_ index: Int, _ column: String, _ type: Value.Type) throws(AuditStoreError) -> Value
    where Value.RawValue == String {
        guard let text = columns.text(index), let parsed = Value(rawValue: text) else {
            throw corrupt(index, column, expected: "a \(Value.self)")
        }
        return parsed
    }

    package func optionalEnumeration<Value: RawRepresentable>(_ index: Int, _ column: String, _ type: Value.Type) throws(AuditStoreError) -> Value?
    where Value.RawValue == String {
        isNull(index) ? nil : try enumeration(index, column, type)
    }

    package func timestamp(_ index: Int, _ column: String) throws(AuditStoreError) -> Timestamp {
        guard let text = columns.text(index), let time = try? Timestamp(text) else {
            throw corrupt(index, column, expected: "an RFC 3339 timestamp")
        }
        return time
    }

    package func optionalTimestamp(_ index: Int, _ column: String) throws(AuditStoreError) -> Timestamp? {
        isNull(index) ? nil : try timestamp(index, column)
    }

    package func auditID(_ index: Int, _ column: String) throws(AuditStoreError) -> AuditID {
        guard let text = columns.text(index), let id = try? AuditID(text) else {
            throw corrupt(index, column, expected: "an audit id")
        }
        return id
    }

    package func optionalRunnerID(_ index: Int, _ column: String) throws(AuditStoreError) -> RunnerID? {
        guard !isNull(index) else { return nil }
        guard let text = columns.text(index), let id = try? RunnerID(text) else {
            throw corrupt(index, column, expected: "a runner id")
        }
        return id
    }

    /// A JSON column: compact JSON text.
    package func optionalJSON(_ index: Int, _ column: String) throws(AuditStoreError) -> JSONValue? {
        guard !isNull(index) else { return nil }
        guard let text = columns.text(index), let json = try? JSONValue.decode(Data(text.utf8)) else {
            throw corrupt(index, column, expected: "JSON text")
        }
        return json
    }

    /// `signal_scores`: a JSON object of numbers.
    package func optionalScores(_ index: Int, _ column: String) throws(AuditStoreError) -> [String: Double]? {
        guard let json = try optionalJSON(index, column) else { return nil }
        guard case .object(let fields) = json else { throw corrupt(index, column, expected: "a JSON object of scores") }
        var scores: [String: Double] = [:]
        scores.reserveCapacity(fields.count)
        for (name, score) in fields {
            guard let number = score.doubleValue else { throw corrupt(index, column, expected: "a JSON object of scores") }
            scores[name] = number
        }
        return scores
    }
}
