import Foundation
import VeritasProtocol

/// A labelled text for training or evaluating the ``WordingModel``.
public struct WordingExample: Sendable, Equatable {
    /// The text as a person reads it.
    public var text: String
    /// The dark-pattern type, or `nil` for an ordinary text.
    public var type: DarkPatternType?
    /// The page the text came from: texts of one page are never split between training and
    /// evaluation, or the figures would reward memorising a site's wording.
    public var group: String

    public var isDarkPattern: Bool { type != nil }

    public init(text: String, type: DarkPatternType?, group: String) {
        self.text = text
        self.type = type
        self.group = group
    }

    /// An error in a training file, with its line.
    public struct FileError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Reads the tab-separated format of `Models/wording/dark-pattern-texts.tsv`: a header naming
    /// at least `page_id`, `label` (`1` dark, `0` not), `type` (snake_case, empty when not dark) and
    /// `text`, then one text per line.
    public static func load(tsv data: Data) throws -> [WordingExample] {
        guard let content = String(data: data, encoding: .utf8) else { throw FileError(description: "not UTF-8") }
        var lines = content.split(separator: "\n", omittingEmptySubsequences: true).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard !lines.isEmpty else { throw FileError(description: "empty file") }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw FileError(description: "no column \(name) in the header") }
            return index
        }
        let (page, label, typeColumn, textColumn) = (try column("page_id"), try column("label"), try column("type"), try column("text"))
        return try lines.enumerated().map { number, line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else {
                throw FileError(description: "line \(number + 2): \(fields.count) fields, expected \(header.count)")
            }
            let type: DarkPatternType?
            switch fields[label] {
            case "1":
                guard let known = DarkPatternType(rawValue: fields[typeColumn]) else {
                    throw FileError(description: "line \(number + 2): unknown type \"\(fields[typeColumn])\"")
                }
                type = known
            case "0": type = nil
            default: throw FileError(description: "line \(number + 2): label \"\(fields[label])\" is not 0 or 1")
            }
            return WordingExample(text: fields[textColumn], type: type, group: fields[page])
        }
    }
}

/// Grouped k-fold assignment, as scikit-learn's `GroupKFold`: groups, largest first, each go to the
/// fold holding the fewest examples so far. Deterministic; a group is never split.
public enum GroupedFolds {
    /// The fold (0..<folds) of each example.
    public static func assign(groups: [String], folds: Int) -> [Int] {
        precondition(folds >= 2)
        let sizes = Dictionary(groups.map { ($0, 1) }, uniquingKeysWith: +)
        // Largest groups first; ties by name so the result does not depend on hashing.
        let ordered = sizes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var load = [Int](repeating: 0, count: folds)
        var foldOfGroup: [String: Int] = [:]
        for (group, size) in ordered {
            let lightest = load.indices.min { load[$0] < load[$1] }!
            foldOfGroup[group] = lightest
            load[lightest] += size
        }
        return groups.map { foldOfGroup[$0]! }
    }
}
