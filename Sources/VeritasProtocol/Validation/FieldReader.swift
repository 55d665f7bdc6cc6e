/// Reads typed, validated fields out of a decoded JSON object, with errors that name the field by
/// its full path (`payload.dark_pattern_summary.findings[3].severity`).
///
/// Every decoder in the module goes through this one reader, so every message is phrased the
/// same way and every rule (missing, wrong type, out of range, unknown enum value) is enforced
/// identically. Unknown keys are simply never looked at: that is the forward-compatibility rule.
/// A `null` is treated exactly like an absent field.
struct FieldReader {
    let fields: [String: JSONValue]
    let path: String

    init(_ fields: [String: JSONValue], path: String = "") {
        self.fields = fields
        self.path = path
    }

    /// The full name of `key` for error messages.
    func name(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value of `key`, or `nil` when it is absent or `null`.
    func value(_ key: String) -> JSONValue? {
        switch fields[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func required(_ key: String) throws(ProtocolError) -> JSONValue {
        guard let value = value(key) else { throw .badRequest("field '\(name(key))' is required") }
        return value
    }

    func typeError(_ key: String, expected: String, got value: JSONValue) -> ProtocolError {
        .badRequest("field '\(name(key))' must be \(expected); got \(value.typeName)")
    }

    // MARK: Text

    func string(
        _ key: String, minLength: Int = 1, maxLength: Int, kind: TextRules.Kind = .singleLine
    ) throws(ProtocolError) -> String {
        try checkedString(key, try required(key), minLength: minLength, maxLength: maxLength, kind: kind)
    }

    func optionalString(
        _ key: String, minLength: Int = 0, maxLength: Int, kind: TextRules.Kind = .singleLine
    ) throws(ProtocolError) -> String? {
        guard let value = value(key) else { return nil }
        return try checkedString(key, value, minLength: minLength, maxLength: maxLength, kind: kind)
    }

    private func checkedString(
        _ key: String, _ value: JSONValue, minLength: Int, maxLength: Int, kind: TextRules.Kind
    ) throws(ProtocolError) -> String {
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", got: value) }
        if text.isEmpty, minLength >= 1 { throw .badRequest("field '\(name(key))' must not be empty") }
        // Scalars never outnumber UTF-8 bytes, so only long strings need counting (a hot path).
        if text.utf8.count > maxLength || minLength > 1 {
            let length = TextRules.scalarCount(text)
            if length < minLength {
                throw .badRequest("field '\(name(key))' must be at least \(minLength) characters; got \(length)")
            }
            if length > maxLength {
                throw .badRequest("field '\(name(key))' must be at most \(maxLength) characters; got \(length)")
            }
        }
        if let scalar = TextRules.forbiddenCharacter(in: text, kind: kind) {
            throw .badRequest(
                "field '\(name(key))' must not contain control characters; found U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
        return text
    }

    /// A `[a-z0-9_]` name such as a progress phase.
    func identifier(_ key: String, maxLength: Int) throws(ProtocolError) -> String {
        let value = try required(key)
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", got: value) }
        guard TextRules.isIdentifier(text, maxLength: maxLength) else {
            throw .badRequest(
                "field '\(name(key))' must be 1 to \(maxLength) characters from a-z, 0-9 and _; got \(TextRules.quote(text))")
        }
        return text
    }

    // MARK: Numbers

    func int(_ key: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int {
        try checkedInt(key, try required(key), in: range)
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int? {
        guard let value = value(key) else { return nil }
        return try checkedInt(key, value, in: range)
    }

    private func checkedInt(_ key: String, _ value: JSONValue, in range: ClosedRange<Int>) throws(ProtocolError) -> Int {
        let expected = range.upperBound == Int.max
            ? "an integer of at least \(range.lowerBound)"
            : "an integer between \(range.lowerBound) and \(range.upperBound)"
        guard case .number(let number) = value else { throw typeError(key, expected: expected, got: value) }
        // Int(exactly:) is nil for fractions and for anything outside Int: never a trap.
        guard let integer = Int(exactly: number), range.contains(integer) else {
            throw .badRequest("field '\(name(key))' must be \(expected); got \(TextRules.describe(value))")
        }
        return integer
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(ProtocolError) -> Double {
        try checkedDouble(key, try required(key), in: range)
    }

    func checkedDouble(_ key: String, _ value: JSONValue, in range: ClosedRange<Double>) throws(ProtocolError) -> Double {
        let expected = "a number between \(TextRules.describe(.number(range.lowerBound))) and \(TextRules.describe(.number(range.upperBound)))"
        guard case .number(let number) = value else { throw typeError(key, expected: expected, got: value) }
        guard range.contains(number) else {
            throw .badRequest("field '\(name(key))' must be \(expected); got \(TextRules.describe(value))")
        }
        return number
    }

    func bool(_ key: String) throws(ProtocolError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw typeError(key, expected: "a boolean", got: value) }
        return flag
    }

    // MARK: Enumerations

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(ProtocolError) -> E
    where E.RawValue == String {
        try checkedEnumeration(key, try required(key), type)
    }

    /// Like ``enumeration(_:_:)``, but an unknown value's error lists only the cases `listed`
    /// accepts (the names this sender may use, not every name of the vocabulary).
    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, listing listed: (E) -> Bool) throws(ProtocolError) -> E
    where E.RawValue == String {
        try checkedEnumeration(key, try required(key), type, listing: listed)
    }

    func optionalEnumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(ProtocolError) -> E?
    where E.RawValue == String {
        guard let value = value(key) else { return nil }
        return try checkedEnumeration(key, value, type)
    }

    private func checkedEnumeration<E: RawRepresentable & CaseIterable>(
        _ key: String, _ value: JSONValue, _ type: E.Type, listing listed: (E) -> Bool = { _ in true }
    ) throws(ProtocolError) -> E where E.RawValue == String {
        if case .string(let text) = value, let result = E(rawValue: text) { return result }
        // The list of choices is only built on failure: this is on the ingest hot path.
        let choices = E.allCases.filter(listed).map(\.rawValue).joined(separator: ", ")
        guard case .string(let text) = value else {
            throw typeError(key, expected: "one of \(choices)", got: value)
        }
        throw .badRequest("field '\(name(key))' must be one of \(choices); got \(TextRules.quote(text))")
    }

    // MARK: Structure

    func object(_ key: String) throws(ProtocolError) -> FieldReader {
        let value = try required(key)
        guard case .object(let nested) = value else { throw typeError(key, expected: "an object", got: value) }
        return FieldReader(nested, path: name(key))
    }

    /// The object at `key`, or `nil` when it is absent or `null`.
    func optionalObject(_ key: String) throws(ProtocolError) -> FieldReader? {
        guard value(key) != nil else { return nil }
        return try object(key)
    }

    /// An opaque JSON object, bounded in depth so it still fits ``ProtocolLimits/maxJSONDepth``
    /// after being wrapped in replies and feed messages.
    func opaqueObject(_ key: String) throws(ProtocolError) -> JSONValue {
        let value = try required(key)
        guard case .object = value else { throw typeError(key, expected: "an object", got: value) }
        try checkOpaqueDepth(key, value)
        return value
    }

    /// Any opaque JSON value or `nil`, bounded in depth like ``opaqueObject(_:)``.
    func optionalOpaque(_ key: String) throws(ProtocolError) -> JSONValue? {
        guard let value = value(key) else { return nil }
        try checkOpaqueDepth(key, value)
        return value
    }

    private func checkOpaqueDepth(_ key: String, _ value: JSONValue) throws(ProtocolError) {
        if value.nestingDepth > ProtocolLimits.maxOpaqueJSONDepth {
            throw .badRequest("field '\(name(key))' must not nest deeper than \(ProtocolLimits.maxOpaqueJSONDepth) levels")
        }
    }

    func array(_ key: String, minCount: Int = 0, maxCount: Int) throws(ProtocolError) -> [JSONValue] {
        let value = try required(key)
        guard case .array(let items) = value else { throw typeError(key, expected: "an array", got: value) }
        if items.count < minCount {
            throw .badRequest("field '\(name(key))' must have at least \(minCount) item\(minCount == 1 ? "" : "s")")
        }
        if items.count > maxCount {
            throw .badRequest("field '\(name(key))' must have at most \(maxCount) items; got \(items.count)")
        }
        return items
    }

    /// Each element of an array of objects, as a reader whose path is `key[i]`.
    func objects(_ key: String, maxCount: Int) throws(ProtocolError) -> [FieldReader] {
        let items = try array(key, maxCount: maxCount)
        var readers: [FieldReader] = []
        readers.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            let itemName = "\(name(key))[\(position)]"
            guard case .object(let nested) = item else {
                throw .badRequest("field '\(itemName)' must be an object; got \(item.typeName)")
            }
            readers.append(FieldReader(nested, path: itemName))
        }
        return readers
    }

    /// An array of strings, each turned into a value by `make`, which receives the element's name.
    func strings<T>(
        _ key: String, minCount: Int = 0, maxCount: Int, _ make: (String, String) throws(ProtocolError) -> T
    ) throws(ProtocolError) -> [T] {
        let items = try array(key, minCount: minCount, maxCount: maxCount)
        var results: [T] = []
        results.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            let itemName = "\(name(key))[\(position)]"
            guard case .string(let text) = item else {
                throw .badRequest("field '\(itemName)' must be a string; got \(item.typeName)")
            }
            results.append(try make(text, itemName))
        }
        return results
    }

    // MARK: Contract types

    func auditID(_ key: String) throws(ProtocolError) -> AuditID {
        try AuditID(try rawString(key), field: name(key))
    }

    func optionalAuditID(_ key: String) throws(ProtocolError) -> AuditID? {
        guard value(key) != nil else { return nil }
        return try auditID(key)
    }

    func eventID(_ key: String) throws(ProtocolError) -> EventID {
        try EventID(try rawString(key), field: name(key))
    }

    func optionalEventID(_ key: String) throws(ProtocolError) -> EventID? {
        guard value(key) != nil else { return nil }
        return try eventID(key)
    }

    func runnerID(_ key: String) throws(ProtocolError) -> RunnerID {
        try RunnerID(try rawString(key), field: name(key))
    }

    func optionalRunnerID(_ key: String) throws(ProtocolError) -> RunnerID? {
        guard value(key) != nil else { return nil }
        return try runnerID(key)
    }

    func timestamp(_ key: String) throws(ProtocolError) -> Timestamp {
        try Timestamp(try rawString(key), field: name(key))
    }

    func optionalTimestamp(_ key: String) throws(ProtocolError) -> Timestamp? {
        guard value(key) != nil else { return nil }
        return try timestamp(key)
    }

    /// The audit URL rules of ``AuditURL``.
    func url(_ key: String) throws(ProtocolError) -> String {
        try AuditURL.validate(try rawString(key), field: name(key))
    }

    /// The protocol version, which must equal ``ProtocolDefaults/protocolVersion``.
    func protocolVersion(_ key: String) throws(ProtocolError) -> Int {
        let value = try required(key)
        guard case .number(let number) = value, let version = Int(exactly: number) else {
            throw typeError(key, expected: "an integer", got: value)
        }
        guard version == ProtocolDefaults.protocolVersion else {
            throw .badRequest(
                "field '\(name(key))' is \(version) but this side speaks protocol \(ProtocolDefaults.protocolVersion); upgrade the older side")
        }
        return version
    }

    /// A required string without content rules (for fields whose type does the validation).
    private func rawString(_ key: String) throws(ProtocolError) -> String {
        let value = try required(key)
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", got: value) }
        return text
    }
}

extension FieldReader {
    /// `signal_scores`: at most ``ProtocolLimits/maxSignalScores`` names from `[a-z0-9_]`, each
    /// scored 0...100.
    func optionalSignalScores(_ key: String) throws(ProtocolError) -> [String: Double]? {
        guard let value = value(key) else { return nil }
        guard case .object(let entries) = value else { throw typeError(key, expected: "an object", got: value) }
        guard entries.count <= ProtocolLimits.maxSignalScores else {
            throw .badRequest(
                "field '\(name(key))' must have at most \(ProtocolLimits.maxSignalScores) entries; got \(entries.count)")
        }
        let nested = FieldReader(entries, path: name(key))
        var scores: [String: Double] = [:]
        scores.reserveCapacity(entries.count)
        for (signal, score) in entries {
            guard TextRules.isIdentifier(signal, maxLength: ProtocolLimits.maxSignalNameLength) else {
                throw .badRequest(
                    "field '\(name(key))' has an invalid signal name \(TextRules.quote(signal)); names are 1 to \(ProtocolLimits.maxSignalNameLength) characters from a-z, 0-9 and _")
            }
            scores[signal] = try nested.checkedDouble(signal, score, in: 0...100)
        }
        return scores
    }

    func signalScores(_ key: String) throws(ProtocolError) -> [String: Double] {
        guard let scores = try optionalSignalScores(key) else { throw .badRequest("field '\(name(key))' is required") }
        return scores
    }
}

extension JSONValue {
    /// `.string(text)` or `.null`, for optional fields that are always written.
    static func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    /// `.number(value)` or `.null`.
    static func optional(_ value: Int?) -> JSONValue {
        value.map { .number(Double($0)) } ?? .null
    }

    static func int(_ value: Int) -> JSONValue {
        .number(Double(value))
    }

    static func scores(_ scores: [String: Double]) -> JSONValue {
        .object(scores.mapValues(JSONValue.number))
    }
}
