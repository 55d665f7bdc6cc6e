/// A plain-text table with left-aligned columns separated by two spaces.
///
/// ```
/// ID                                    STATUS     SCORE
/// 0192f7a4-3b1c-7d2e-8f00-0123456789ab  completed  72
/// ```
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func append(_ row: String...) {
        rows.append(row)
    }

    /// The table as lines; the last column is not padded, so no line has trailing blanks.
    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        return ([format(headers)] + rows.map(format)).joined(separator: "\n")
    }
}
