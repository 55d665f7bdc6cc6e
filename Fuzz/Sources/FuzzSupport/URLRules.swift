/// The audit URL rules of docs/PROTOCOL.md §3.5, written independently of the product's
/// `AuditURL` (on Unicode scalars, as the protocol counts them) so that targets can check every
/// URL a decoder accepted: 1-2048 code points, no White_Space or Cc, `http`/`https` (any case)
/// then `://`, a non-empty host (bracketed IPv6 allowed), an optional port 1-65535, no `@` in
/// the authority. Returns the broken rule, or `nil`.
public func violatesURLRules(_ text: String) -> String? {
    let scalars = Array(text.unicodeScalars)
    guard (1...2048).contains(scalars.count) else { return "length \(scalars.count)" }
    if scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
        return "whitespace or control character"
    }
    func asciiLowered(_ scalar: Unicode.Scalar) -> UInt32 {
        (0x41...0x5A).contains(scalar.value) ? scalar.value + 0x20 : scalar.value
    }
    func hasPrefix(_ prefix: String) -> Bool {
        let expected = Array(prefix.unicodeScalars)
        return scalars.count >= expected.count && zip(scalars, expected).allSatisfy { asciiLowered($0) == $1.value }
    }
    let afterScheme: Int
    if hasPrefix("http://") {
        afterScheme = 7
    } else if hasPrefix("https://") {
        afterScheme = 8
    } else {
        return "scheme is not http:// or https://"
    }
    let rest = scalars[afterScheme...]
    let authority = Array(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    if authority.contains("@") { return "credentials in the authority" }
    var host = authority[...]
    var port: ArraySlice<Unicode.Scalar>? = nil
    if authority.first == "[" {
        guard let close = authority.firstIndex(of: "]") else { return "unterminated IPv6 host" }
        host = authority[1..<close]
        let after = authority[(close + 1)...]
        if let first = after.first {
            guard first == ":" else { return "text after the IPv6 host" }
            port = after.dropFirst()
        }
    } else if let colon = authority.firstIndex(of: ":") {
        host = authority[..<colon]
        port = authority[(colon + 1)...]
    }
    if host.isEmpty { return "empty host" }
    if let port {
        guard !port.isEmpty, port.allSatisfy({ (0x30...0x39).contains($0.value) }) else { return "port is not digits" }
        let significant = port.drop { $0 == "0" }
        let value = significant.count > 5 ? Int.max : significant.reduce(0) { $0 * 10 + Int($1.value - 0x30) }
        guard (1...65_535).contains(value) else { return "port out of range" }
    }
    return nil
}
