import Foundation
import GRDB
import VeritasProtocol

/// Reads the columns of one fetched row by position, turning each into a model value or throwing
/// ``AuditStoreError/Code/corruptRow`` with the table, column and value.
///
/// GRDB's own typed subscripts stop the process on a value of the wrong type; a damaged or
/// hand-edited database must instead fail one read with a clear error.
struct SQLiteRowReader {
    let row: Row
    let table: String

    private func value(_ index: Int) -> DatabaseValue {
        row[index]
    }

    private func corrupt(_ index: Int, _ column: String, expected: String) -> AuditStoreError {
        AuditStoreError(.corruptRow, "\(table).\(column) holds \(value(index)); expected \(expected)")
    }

    func isNull(_ index: Int) -> Bool {
        value(index).isNull
    }

    func text(_ index: Int, _ column: String) throws(AuditStoreError) -> String {
        guard let text = String.fromDatabaseValue(value(index)) else { throw corrupt(index, column, expected: "text") }
        return text
    }

    func optionalText(_ index: Int, _ column: String) throws(AuditStoreError) -> String? {
        isNull(index) ? nil : try text(index, column)
    }

    func int(_ index: Int, _ column: String) throws(AuditStoreError) -> Int {
        guard let number = Int.fromDatabaseValue(value(index)) else { throw corrupt(index, column, expected: "an integer") }
        return number
    }

    func optionalInt(_ index: Int, _ column: String) throws(AuditStoreError) -> Int? {
        isNull(index) ? nil : try int(index, column)
    }

    func double(_ index: Int, _ column: String) throws(AuditStoreError) -> Double {
        guard let number = Double.fromDatabaseValue(value(index)) else { throw corrupt(index, column, expected: "a number") }
        return number
    }

    /// A vocabulary value stored as its raw text (`tier`, `status`, `severity`, ...).
    func enumeration<Value: RawRepresentable>(_ index: Int, _ column: String, _ type: Value.Type) throws(AuditStoreError) -> Value
    where Value.RawValue == String {
        guard let text = String.fromDatabaseValue(value(index)), let parsed = Value(rawValue: text) else {
            throw corrupt(index, column, expected: "a \(Value.self)")
        }
        return parsed
    }

    func optionalEnumeration<Value: RawRepresentable>(_ index: Int, _ column: String, _ type: Value.Type) throws(AuditStoreError) -> Value?
    where Value.RawValue == String {
        isNull(index) ? nil : try enumeration(index, column, type)
    }

    func timestamp(_ index: Int, _ column: String) throws(AuditStoreError) -> Timestamp {
        guard let text = String.fromDatabaseValue(value(index)), let time = try? Timestamp(text) else {
            throw corrupt(index, column, expected: "an RFC 3339 timestamp")
        }
        return time
    }

    func optionalTimestamp(_ index: Int, _ column: String) throws(AuditStoreError) -> Timestamp? {
        isNull(index) ? nil : try timestamp(index, column)
    }

    func auditID(_ index: Int, _ column: String) throws(AuditStoreError) -> AuditID {
        guard let text = String.fromDatabaseValue(value(index)), let id = try? AuditID(text) else {
            throw corrupt(index, column, expected: "an audit id")
        }
        return id
    }

    func optionalRunnerID(_ index: Int, _ column: String) throws(AuditStoreError) -> RunnerID? {
        guard !isNull(index) else { return nil }
        guard let text = String.fromDatabaseValue(value(index)), let id = try? RunnerID(text) else {
            throw corrupt(index, column, expected: "a runner id")
        }
        return id
    }

    /// A JSON column: compact JSON text.
    func optionalJSON(_ index: Int, _ column: String) throws(AuditStoreError) -> JSONValue? {
        guard !isNull(index) else { return nil }
        guard let text = String.fromDatabaseValue(value(index)), let json = try? JSONValue.decode(Data(text.utf8)) else {
            throw corrupt(index, column, expected: "JSON text")
        }
        return json
    }

    /// `signal_scores`: a JSON object of numbers.
    func optionalScores(_ index: Int, _ column: String) throws(AuditStoreError) -> [String: Double]? {
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
