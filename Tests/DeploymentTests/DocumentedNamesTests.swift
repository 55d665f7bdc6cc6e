import Foundation
import Testing
import VeritasConfiguration
import VeritasConsole
import VeritasProtocol
import VeritasRunner
import VeritasWriter

/// The names an integrator reads in the documents are the names the code uses: every setting (its
/// environment variable and default) in the README's tables and PROTOCOL.md, the progress phases
/// and `security_results` fields in PROTOCOL.md, and the events runners may send. Each list comes
/// from the code's own constants, so a renamed or added name fails here until the docs follow.
@Suite("documented names match the code")
struct DocumentedNamesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Markdown table rows whose first cell names `key` in backticks, split into cells.
    static func rows(in text: String, naming key: String) -> [[String]] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("|") else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = cells.first, backticked(first).contains(key) else { return nil }
            return Array(cells)
        }
    }

    /// The `code spans` of a cell, in order.
    static func backticked(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { $0.offset % 2 == 1 ? String($0.element) : nil }
    }

    /// Checks one service's settings against a README table: each key has a row, with its
    /// environment variable in the same position and its default, where the row gives one in code.
    static func check<Settings>(_ keys: [ConfigurationKey<Settings>], defaults: Settings, in readme: String, section: String) {
        let values = ConfigurationLoader.summary(of: defaults, keys: keys)
        for key in keys {
            let found = rows(in: readme, naming: key.path)
            guard let row = found.first, row.count >= 3 else {
                Issue.record("\(section): README has no row for \(key.path)")
                continue
            }
            let position = backticked(row[0]).firstIndex(of: key.path) ?? 0
            let environments = backticked(row[1])
            #expect(environments.indices.contains(position) && environments[position] == key.environment,
                    "\(section): \(key.path) is set by \(key.environment), README says \(environments)")
            let defaultsShown = backticked(row[2])
            if defaultsShown.count == backticked(row[0]).count, let value = values[key.path] {
                #expect(defaultsShown[position] == value, "\(section): \(key.path) defaults to '\(value)', README says '\(defaultsShown[position])'")
            }
        }
    }

    @Test("every writer, runner and console setting is in the README with its environment variable and default; the writer's in PROTOCOL.md too")
    func settings() throws {
        let readme = try Self.text("README.md")
        // Both services have a `data.directory`: each table is read in its own section.
        let runnersSection = try #require(readme.range(of: "## Running runners"))
        Self.check(WriterConfiguration.keys, defaults: WriterConfiguration(), in: String(readme[..<runnersSection.lowerBound]), section: "writer")
        Self.check(RunnerConfiguration.keys, defaults: RunnerConfiguration(), in: String(readme[runnersSection.lowerBound...]), section: "runner")
        let consoleSection = try #require(readme.range(of: "## The web console"))
        let consoleEnd = readme[consoleSection.upperBound...].range(of: "\n## ")?.lowerBound ?? readme.endIndex
        Self.check(ConsoleConfiguration.keys, defaults: ConsoleConfiguration(), in: String(readme[consoleSection.lowerBound..<consoleEnd]), section: "console")
        let protocolText = try Self.text("docs/PROTOCOL.md")
        for key in WriterConfiguration.keys {
            #expect(protocolText.contains("`\(key.path)`") && protocolText.contains("`\(key.environment)`"), "PROTOCOL.md does not list \(key.path)")
        }
    }

    @Test("the progress phases runners send and every phase in the examples")
    func phases() throws {
        let protocolText = try Self.text("docs/PROTOCOL.md")
        let row = try #require(protocolText.split(separator: "\n").first { $0.hasPrefix("| `audit.progress` | `phase`") })
        let listed = Self.backticked(String(row))
        #expect(listed.filter { AuditPhase(rawValue: $0) != nil } == AuditPhase.allCases.map(\.rawValue), "PROTOCOL.md lists \(listed)")
        // Every phase an example sends is one Veritas uses.
        let examples = try NSRegularExpression(pattern: #""phase"\s*:\s*"([a-z0-9_]+)""#)
        let range = NSRange(protocolText.startIndex..., in: protocolText)
        for match in examples.matches(in: protocolText, range: range) {
            let name = (protocolText as NSString).substring(with: match.range(at: 1))
            #expect(AuditPhase(rawValue: name) != nil, "an example sends phase '\(name)'")
        }
    }

    @Test("every security_results field runners send is in PROTOCOL.md §5.3")
    func securityResults() throws {
        let protocolText = try Self.text("docs/PROTOCOL.md")
        let row = try #require(protocolText.split(separator: "\n").first { $0.hasPrefix("| `security_results` | object \\| null |") })
        let listed = Set(Self.backticked(String(row)))
        for field in SecurityResults.fieldNames {
            #expect(listed.contains(field), "PROTOCOL.md §5.3 does not list security_results.\(field)")
        }
    }

    @Test("the events a runner may send have their payload rows in PROTOCOL.md")
    func runnerEvents() throws {
        let protocolText = try Self.text("docs/PROTOCOL.md")
        for name in EventName.allCases where name.isRunnerEvent {
            #expect(protocolText.contains("| `\(name.rawValue)` |"), "PROTOCOL.md has no payload row for \(name.rawValue)")
        }
    }
}
