/// A plain-text table for terminals: a header row and left-aligned columns separated by two
/// spaces, each as wide as its widest cell. The last column is not padded, so no line ends in
/// blanks. Cells go through ``HumanText/printable(_:)``: they carry what remote peers sent.
struct TextTable: Sendable, Hashable {
    var columns: [String]
    var rows: [[String]] = []

    init(_ columns: String..., rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as text, one line per row after the header, with a trailing newline.
    /// Missing cells read as empty; extra cells are dropped.
    func render() -> String {
        let all =
            [columns]
            + rows.map { row in
                columns.indices.map { row.indices.contains($0) ? HumanText.printable(row[$0]) : "" }
            }
        let widths = columns.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in all {
            var line = ""
            for (column, cell) in row.enumerated() {
                if column > 0 { line += "  " }
                let isLast = column == row.count - 1
                line += isLast ? cell : cell.padding(toLength: widths[column])
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}

/// Aligned `key: value` lines for one record (`peers get`, `info`, `status`).
struct KeyValueList: Sendable {
    var entries: [(key: String, value: String)] = []

    mutating func append(_ key: String, _ value: String) { entries.append((key, value)) }

    func render() -> String {
        let width = (entries.map(\.key.count).max() ?? 0) + 1
        return entries.map { "\(($0.key + ":").padding(toLength: width)) \(HumanText.printable($0.value))\n" }
            .joined()
    }
}

extension String {
    /// The string followed by spaces up to `length` characters (never truncated).
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
