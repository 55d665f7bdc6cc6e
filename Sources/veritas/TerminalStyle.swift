import Foundation
import VeritasProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour and wrapping for human output, only where a person reads it.
///
/// - Colour when stdout is a terminal (not `TERM=dumb`), never when `NO_COLOR` is set to
///   anything (no-color.org); `CLICOLOR_FORCE=1` asks for it anyway (a pipe into `less -R`).
///   `NO_COLOR` wins over `CLICOLOR_FORCE`.
/// - Wrapping of long values (narratives, evidence) at the terminal's width; when stdout is not a
///   terminal, only if `COLUMNS` is set, so scripts and logs get one line per value.
struct TerminalStyle: Sendable {
    var colours: Bool
    /// The width to wrap at; `nil`: no wrapping.
    var width: Int?

    static let current = detect(environment: ProcessInfo.processInfo.environment, isTerminal: Console.isTerminal, terminalColumns: terminalColumns())

    static func detect(environment: [String: String], isTerminal: Bool, terminalColumns: Int?) -> TerminalStyle {
        let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let forced = environment["CLICOLOR_FORCE"].map { !$0.isEmpty && $0 != "0" } ?? false
        let dumb = environment["TERM"] == "dumb"
        let colours = !noColour && (forced || (isTerminal && !dumb))
        let columns = environment["COLUMNS"].flatMap(Int.init).flatMap { $0 >= 20 ? $0 : nil }
        let width = isTerminal ? (terminalColumns ?? columns ?? 80) : columns
        return TerminalStyle(colours: colours, width: width)
    }

    /// The terminal's width from the kernel, when stdout is one.
    static func terminalColumns() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 else { return nil }
        return Int(size.ws_col)
    }

    // MARK: Colour

    enum Colour: String {
        case green = "32", yellow = "33", red = "31", boldRed = "1;31", bold = "1", dim = "2"
    }

    func paint(_ text: String, _ colour: Colour) -> String {
        colours ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    func risk(_ level: RiskLevel) -> String {
        switch level {
        case .low: paint(level.rawValue, .green)
        case .medium: paint(level.rawValue, .yellow)
        case .high: paint(level.rawValue, .red)
        case .critical: paint(level.rawValue, .boldRed)
        }
    }

    func status(_ status: AuditStatus) -> String {
        switch status {
        case .completed: paint(status.rawValue, .green)
        case .error: paint(status.rawValue, .red)
        case .queued, .running: paint(status.rawValue, .yellow)
        }
    }

    func severity(_ severity: Severity) -> String {
        switch severity {
        case .low: paint(severity.rawValue, .green)
        case .medium: paint(severity.rawValue, .yellow)
        case .high: paint(severity.rawValue, .red)
        }
    }

    // MARK: Wrapping

    /// `text` broken into lines of at most `width` characters at spaces (a longer word stands on
    /// its own line); its own line breaks are kept.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [text] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
        }
        return lines
    }
}
