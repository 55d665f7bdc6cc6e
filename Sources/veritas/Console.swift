import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where output goes: results to stdout, diagnostics to stderr.
enum Console {
    /// Whether stdout is a terminal (then progress redraws in place with `\r`).
    static let isTerminal = isatty(STDOUT_FILENO) != 0

    /// Whether stderr is a terminal (then `veritas analyze` shows its progress there).
    static let isErrorTerminal = isatty(STDERR_FILENO) != 0

    /// One line to stdout.
    static func line(_ text: String = "") {
        write(text + "\n")
    }

    /// Text to stdout, flushed at once (progress bars must show before the next event).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A JSON object, as bytes, on its own line.
    static func json(_ data: Data) {
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// ArgumentParser's own usage message (it has its own `Error:` prefix) to stderr.
    static func usageError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }

    /// Text to stderr as is (progress redrawn in place, without a newline).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `veritas: ...` to stderr: a remark that is not an error (e.g. a page that missed the bar).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("veritas: \(message)\n".utf8))
    }

    /// `veritas: error: ...` to stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("veritas: error: \(message)\n".utf8))
    }
}
