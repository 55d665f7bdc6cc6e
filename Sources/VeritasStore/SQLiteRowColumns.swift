import GRDB

/// A GRDB row for the shared decoding (``StoredRowReader``).
struct SQLiteRowColumns: StoredRowColumns {
    let row: Row

    private func value(_ index: Int) -> DatabaseValue { row[index] }

    func isNull(_ index: Int) -> Bool { value(index).isNull }
    func text(_ index: Int) -> String? { String.fromDatabaseValue(value(index)) }
    func integer(_ index: Int) -> Int? { Int.fromDatabaseValue(value(index)) }
    func real(_ index: Int) -> Double? { Double.fromDatabaseValue(value(index)) }
    func describe(_ index: Int) -> String { "\(value(index))" }
}

/// Reads a GRDB row's columns into model values.
typealias SQLiteRowReader = StoredRowReader<SQLiteRowColumns>

extension StoredRowReader where Columns == SQLiteRowColumns {
    init(row: Row, table: String) {
        self.init(SQLiteRowColumns(row: row), table: table)
    }
}

extension ColumnValue {
    /// The value as GRDB binds it.
    var databaseValue: DatabaseValue {
        switch self {
        case .text(let text): text.databaseValue
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .null: .null
        }
    }
}

extension StatementArguments {
    /// Arguments from the shared row mappings' values.
    init(_ values: [ColumnValue]) {
        self.init(values.map(\.databaseValue))
    }
}
