/// The rules for a URL a runner will fetch: `http` or `https`, a host, no credentials, no
/// whitespace or control characters, at most ``ProtocolLimits/maxURLLength`` characters.
///
/// Checked by hand on the text (no regex, no `URL` parser whose leniency differs by platform).
/// The text is kept exactly as given; the runner does its own normalisation when fetching.
enum AuditURL {
    static func validate(_ text: String, field: String) throws(ProtocolError) -> String {
        func fail(_ reason: String) -> ProtocolError {
            .badRequest("field '\(field)' \(reason); got \(TextRules.quote(text))")
        }
        let length = TextRules.scalarCount(text)
        guard length > 0 else { throw .badRequest("field '\(field)' must not be empty") }
        guard length <= ProtocolLimits.maxURLLength else {
            throw .badRequest("field '\(field)' must be at most \(ProtocolLimits.maxURLLength) characters; got \(length)")
        }
        for scalar in text.unicodeScalars where TextRules.isControl(scalar) || scalar.properties.isWhitespace {
            throw fail("must not contain whitespace or control characters")
        }

        let scalars = Array(text.unicodeScalars)
        guard let colon = scalars.firstIndex(of: ":") else { throw fail("must be an absolute http or https URL") }
        let scheme = String(String.UnicodeScalarView(scalars[..<colon])).lowercased()
        guard scheme == "http" || scheme == "https" else { throw fail("must use the http or https scheme") }
        guard scalars.count >= colon + 3, scalars[colon + 1] == "/", scalars[colon + 2] == "/" else {
            throw fail("must be an absolute URL with '//' after the scheme")
        }
        let authorityStart = colon + 3
        let authorityEnd = scalars[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? scalars.count
        let authority = scalars[authorityStart..<authorityEnd]
        guard !authority.contains("@") else { throw fail("must not contain credentials (user@host)") }

        var host = authority[...]
        var port: ArraySlice<Unicode.Scalar>? = nil
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw fail("has an unterminated IPv6 host") }
            host = authority[authority.startIndex + 1..<close]
            let rest = authority[(close + 1)...]
            if let first = rest.first {
                guard first == ":" else { throw fail("has text after the IPv6 host") }
                port = rest.dropFirst()
            }
        } else if let portColon = authority.firstIndex(of: ":") {
            host = authority[..<portColon]
            port = authority[(portColon + 1)...]
        }
        guard !host.isEmpty else { throw fail("must have a host") }
        if let port {
            var value = 0
            for scalar in port {
                guard let digit = Int(exactly: scalar.value &- 0x30), (0...9).contains(digit), value <= 65_535 else {
                    throw fail("has an invalid port")
                }
                value = value * 10 + digit
            }
            guard !port.isEmpty, (1...65_535).contains(value) else { throw fail("has an invalid port") }
        }
        return text
    }
}
