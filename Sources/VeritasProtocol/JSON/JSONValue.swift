import Foundation

/// Any JSON value, for the parts of the contract that are deliberately opaque
/// (`security_results`, the free `summary` of dark patterns, feed payloads).
///
/// It is also the intermediate form of every decoder here: a frame is parsed once into a
/// `JSONValue` by this module's own bounded parser, then read field by field with messages that
/// name the field. Numbers are `Double` (as in JavaScript and most JSON stacks) and always finite:
/// the parser refuses `1e999`, so encoding never produces invalid JSON.
public enum JSONValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON document (any top-level value), with the same size-independent guards as
    /// the message decoders: depth at most ``ProtocolLimits/maxJSONDepth``, valid UTF-8, finite
    /// numbers, no duplicate keys. Useful for JSON columns read back from a database.
    public static func decode(_ data: Data) throws(ProtocolError) -> JSONValue {
        if JSONDepthScanner.exceedsDepth(data, limit: ProtocolLimits.maxJSONDepth) {
            throw JSONDepthScanner.depthError
        }
        return try JSONParser.parse(data, maxDepth: ProtocolLimits.maxJSONDepth)
    }

    /// Compact UTF-8 JSON with object keys sorted, so equal values always encode to equal bytes.
    public func encoded() -> Data {
        var writer = JSONWriter()
        writer.write(self)
        return writer.data
    }

    /// Compact JSON text (``encoded()``).
    public var description: String { String(decoding: encoded(), as: UTF8.self) }

    /// The member named `key` when this is an object; `nil` otherwise.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The string when this is a string; `nil` otherwise.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number when this is a number; `nil` otherwise.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean when this is a Boolean; `nil` otherwise.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as an `Int`, when this is a number without a fractional part that fits.
    public var intValue: Int? {
        guard case .number(let value) = self, value.isFinite, value.rounded() == value else { return nil }
        return Int(exactly: value)
    }

    /// The elements when this is an array; `nil` otherwise.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members when this is an object; `nil` otherwise.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The element at `index` when this is an array that long; `nil` otherwise.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// JSON's own name for the kind of value, used in error messages ("must be a string; got number").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Levels of `[`/`{` nesting: 0 for a scalar, 1 for `{}` or `[1]`.
    var nestingDepth: Int {
        switch self {
        case .array(let items): 1 + (items.lazy.map(\.nestingDepth).max() ?? 0)
        case .object(let fields): 1 + (fields.values.lazy.map(\.nestingDepth).max() ?? 0)
        default: 0
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self = .null }
    /// Lets opaque values be written as literals in code and tests.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Lets opaque values be written as literals in code and tests.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// Lets opaque values be written as literals in code and tests.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// Lets opaque values be written as literals in code and tests.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Lets opaque values be written as literals in code and tests.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Lets opaque values be written as literals in code and tests; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
