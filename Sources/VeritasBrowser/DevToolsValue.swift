import Foundation

/// A JSON value: what a page script evaluates to, and what DevTools messages are made of.
///
/// Numbers are stored as `Double`, exactly like JavaScript numbers.
public enum DevToolsValue: Sendable, Hashable, CustomStringConvertible {
    /// `null` (also used for JavaScript `undefined`).
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([DevToolsValue])
    /// An object.
    case object([String: DevToolsValue])

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, if this is a number.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an `Int`, if this is a finite number without a fractional part that fits.
    public var intValue: Int? {
        guard case .number(let value) = self, value.isFinite, value.rounded() == value,
              let result = Int(exactly: value) else { return nil }
        return result
    }

    /// The boolean, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [DevToolsValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: DevToolsValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> DevToolsValue? {
        objectValue?[key]
    }

    /// The element at `index`, if this is an array that long.
    public subscript(index: Int) -> DevToolsValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// Compact JSON text. Non-finite numbers, which JSON cannot express, are written as `null`.
    public var description: String {
        guard let data = try? JSONSerialization.data(
            withJSONObject: foundationObject, options: [.sortedKeys, .fragmentsAllowed]
        ) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses JSON text.
    public init(parsing data: Data) throws {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        try self.init(foundation: object)
    }

    /// Converts the output of `JSONSerialization` (NSNull, NSNumber, String, arrays, dictionaries).
    init(foundation object: Any) throws {
        switch object {
        case is NSNull:
            self = .null
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // JSONSerialization hands out booleans as NSNumber too, and `as? Bool` would also accept
            // the numbers 0 and 1, so look at the storage type instead (booleans are "c").
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        case let array as [Any]:
            self = .array(try array.map { try DevToolsValue(foundation: $0) })
        case let dictionary as [String: Any]:
            var members: [String: DevToolsValue] = [:]
            members.reserveCapacity(dictionary.count)
            for (key, value) in dictionary { members[key] = try DevToolsValue(foundation: value) }
            self = .object(members)
        default:
            throw BrowserError.invalidResponse(method: "JSON", reason: "unexpected value of type \(type(of: object))")
        }
    }

    /// The value as `JSONSerialization` input. Integral numbers become integers so that Chromium's
    /// strict integer parameters accept them; non-finite numbers become `null`.
    var foundationObject: Any {
        switch self {
        case .null:
            return NSNull()
        case .bool(let value):
            return value
        case .number(let value):
            guard value.isFinite else { return NSNull() }
            if value.rounded() == value, let integer = Int(exactly: value) { return integer }
            return value
        case .string(let value):
            return value
        case .array(let values):
            return values.map(\.foundationObject)
        case .object(let members):
            return members.mapValues(\.foundationObject)
        }
    }
}

extension DevToolsValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    /// `nil` → `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    public init(arrayLiteral elements: DevToolsValue...) { self = .array(elements) }
    /// A dictionary literal; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, DevToolsValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
