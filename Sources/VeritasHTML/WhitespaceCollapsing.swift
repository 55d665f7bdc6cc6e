extension StringProtocol {
    /// The text with every run of whitespace (HTML's space characters, other Unicode white space
    /// and U+00A0 no-break space) replaced by one space, trimmed at both ends.
    var collapsingWhitespace: String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = true
            } else {
                if pendingSpace, !scalars.isEmpty { scalars.append(" ") }
                pendingSpace = false
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether the text starts or ends with whitespace (so it is separated from its neighbours).
    var startsWithWhitespace: Bool { unicodeScalars.first?.properties.isWhitespace ?? false }
    var endsWithWhitespace: Bool { unicodeScalars.last?.properties.isWhitespace ?? false }
}
