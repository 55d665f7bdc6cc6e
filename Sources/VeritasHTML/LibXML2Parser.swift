import CLibXML2
import Foundation

/// The only code that calls libxml2: parses bytes, lets a `TreeWalker` copy the tree out, frees it.
enum LibXML2Parser {
    /// `xmlInitParser` must run once before threads parse concurrently; Swift runs a static
    /// initialiser exactly once, thread-safely.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Forgiving, silent, offline parsing; `COMPACT` is safe because the tree is only read.
    ///
    /// `XML_PARSE_HUGE` too: without it libxml2 2.9 stops at nesting depth 256 and returns an
    /// empty `<html>`, so 256 nested `<div>`s would hide a whole page from the audit. The input
    /// size limit, checked before parsing, bounds what lifting libxml2's limits can cost.
    private static let baseOptions: UInt32 =
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
        | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | XML_PARSE_HUGE.rawValue

    /// Parses `bytes` and walks the resulting tree. `encoding` is an IANA name or `nil` to let
    /// libxml2 follow the document's `<meta charset>` (UTF-8 otherwise, falling back to Latin-1 on
    /// invalid UTF-8); `ignoreDeclaredEncoding` makes it disregard `<meta charset>`, for bytes that
    /// are known to be UTF-8 because they came from a Swift `String`.
    static func walk(_ bytes: UnsafeRawBufferPointer, encoding: String?, ignoreDeclaredEncoding: Bool) throws -> TreeWalker {
        precondition(initialized)
        if let encoding {
            guard let handler = xmlFindCharEncodingHandler(encoding) else {
                throw HTMLParseError(.unsupportedEncoding, "libxml2 has no converter for the encoding '\(encoding)'")
            }
            xmlCharEncCloseFunc(handler)
        }
        let options = baseOptions | (ignoreDeclaredEncoding ? HTML_PARSE_IGNORE_ENC.rawValue : 0)
        // The caller has checked the size against the limit, which is below Int32.max.
        let document = htmlReadMemory(
            bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, encoding,
            Int32(bitPattern: options))
        guard let document else {
            throw HTMLParseError(.noDocument, "libxml2 returned no document for \(bytes.count) bytes of input")
        }
        defer { xmlFreeDoc(document) }
        var walker = TreeWalker()
        walker.walk(document)
        return walker
    }
}
