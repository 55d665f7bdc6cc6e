import PostgresNIO
import VeritasProtocol
import VeritasStore

/// A fetched PostgreSQL row for the shared decoding (``StoredRowReader``).
struct PostgresRowColumns: StoredRowColumns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    func isNull(_ index: Int) -> Bool { row[index].bytes == nil }
    func text(_ index: Int) -> String? { try? row[index].decode(String.self) }
    func integer(_ index: Int) -> Int? { try? row[index].decode(Int.self) }
    func real(_ index: Int) -> Double? { try? row[index].decode(Double.self) }
    func describe(_ index: Int) -> String {
        let cell = row[index]
        guard cell.bytes != nil else { return "NULL" }
        return (try? cell.decode(String.self)).map { "'\($0)'" } ?? "a value of type \(cell.dataType)"
    }
}

/// Reads a PostgreSQL row's columns into model values.
typealias PostgresRowReader = StoredRowReader<PostgresRowColumns>

extension StoredRowReader where Columns == PostgresRowColumns {
    init(_ row: PostgresRow, table: String) {
        self.init(PostgresRowColumns(row), table: table)
    }
}

extension PostgresBindings {
    /// Binds a value of the shared row mappings.
    mutating func append(_ value: ColumnValue) {
        switch value {
        case .text(let text): append(text)
        case .integer(let number): append(number)
        case .real(let number): append(number)
        case .null: appendNull()
        }
    }
}

/// Builds statements over many rows at once: one round trip to the server for a batch's rows of a
/// table instead of one per row (what makes a group commit cheap over a network).
enum MultiRowStatement {
    /// PostgreSQL takes at most 65,535 parameters per statement.
    static let maximumParameters = 65_535

    /// `head VALUES ($1, $2), ($3, $4) tail` for each chunk of `rows` that fits the parameter limit.
    static func values(_ head: String, rows: [[ColumnValue]], tail: String = "") -> [PostgresQuery] {
        guard let width = rows.first?.count, width > 0 else { return [] }
        let perStatement = max(1, maximumParameters / width)
        var queries: [PostgresQuery] = []
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var binds = PostgresBindings(capacity: chunk.count * width)
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            var parameter = 0
            for row in chunk {
                precondition(row.count == width, "every row of one statement has the same columns")
                let placeholders = (1...width).map { "$\(parameter + $0)" }.joined(separator: ", ")
                tuples.append("(\(placeholders))")
                parameter += width
                for value in row { binds.append(value) }
            }
            queries.append(PostgresQuery(unsafeSQL: "\(head) VALUES \(tuples.joined(separator: ", ")) \(tail)", binds: binds))
            start += chunk.count
        }
        return queries
    }
}

/// A query with `$1...` placeholders and its values, for the statements written by hand.
func query(_ sql: String, _ values: ColumnValue...) -> PostgresQuery {
    var binds = PostgresBindings(capacity: values.count)
    for value in values { binds.append(value) }
    return PostgresQuery(unsafeSQL: sql, binds: binds)
}

/// A query whose one parameter is a text array (`= ANY($1)`).
func query(_ sql: String, textArray: [String], _ more: ColumnValue...) -> PostgresQuery {
    var binds = PostgresBindings(capacity: 1 + more.count)
    binds.append(textArray)
    for value in more { binds.append(value) }
    return PostgresQuery(unsafeSQL: sql, binds: binds)
}
