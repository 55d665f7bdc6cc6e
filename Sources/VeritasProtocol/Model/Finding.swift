/// One dark pattern found on a site, with the evidence an analyst needs to judge it.
///
/// The category is derived from ``patternType`` rather than stored, so a `Finding` built in code
/// can never disagree with the taxonomy; on the wire both are sent and a mismatch is refused.
public struct Finding: Sendable, Equatable, Hashable {
    /// Which of the fifteen types this is.
    public var patternType: DarkPatternType
    /// How much it weighs on the verdict.
    public var severity: Severity
    /// How sure the detector is, 0...1.
    public var confidence: Double
    /// The text that gave the pattern away (1...``ProtocolLimits/maxEvidenceLength`` characters).
    public var evidence: String
    /// Where on the page, e.g. a CSS selector or URL (≤ ``ProtocolLimits/maxLocationLength``).
    public var location: String?
    /// Where the finding is on one of the audit's screenshots, when the runner could measure it.
    public var box: FindingBox?

    /// The taxonomy category of ``patternType``.
    public var category: DarkPatternCategory { patternType.category }

    /// Values are not re-validated here; they are checked when decoded from the wire.
    public init(patternType: DarkPatternType, severity: Severity, confidence: Double, evidence: String, location: String? = nil, box: FindingBox? = nil) {
        self.patternType = patternType
        self.severity = severity
        self.confidence = confidence
        self.evidence = evidence
        self.location = location
        self.box = box
    }

    /// The wire object: `category`, `pattern_type`, `severity`, `confidence`, `evidence`, `location`,
    /// and `box` when there is one.
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "category": .string(category.rawValue),
            "pattern_type": .string(patternType.rawValue),
            "severity": .string(severity.rawValue),
            "confidence": .number(confidence),
            "evidence": .string(evidence),
            "location": .optional(location),
        ]
        if let box { fields["box"] = box.jsonValue }
        return .object(fields)
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        let category = try reader.enumeration("category", DarkPatternCategory.self)
        patternType = try reader.enumeration("pattern_type", DarkPatternType.self)
        guard patternType.category == category else {
            throw .badRequest(
                "field '\(reader.name("pattern_type"))' '\(patternType.rawValue)' does not belong to category '\(category.rawValue)' (it is \(patternType.category.rawValue))")
        }
        severity = try reader.enumeration("severity", Severity.self)
        confidence = try reader.double("confidence", in: 0...1)
        evidence = try reader.string("evidence", maxLength: ProtocolLimits.maxEvidenceLength, kind: .multiline)
        location = try reader.optionalString("location", maxLength: ProtocolLimits.maxLocationLength)
        box = try reader.optionalObject("box").map { reader throws(ProtocolError) in try FindingBox(reading: reader) }
    }
}
