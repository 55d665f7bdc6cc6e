/// Why an `HTMLDocument` could not be built.
///
/// Malformed HTML is never an error (libxml2 recovers the way browsers roughly do); only input the
/// parser refuses is.
public struct HTMLParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for matching.
    public enum Code: Sendable, Hashable {
        /// The input is larger than the size limit given to the parser.
        case documentTooLarge
        /// libxml2 produced no document (for example, empty input).
        case noDocument
        /// libxml2 has no converter for the encoding hint.
        case unsupportedEncoding
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for logs and reports.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "HTMLParseError(\(code)): \(message)" }
}
