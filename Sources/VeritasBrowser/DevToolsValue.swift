import Foundation
import VeritasProtocol

/// A JSON value: what a page script evaluates to, and what DevTools messages are made of. The
/// protocol module's `JSONValue` (one JSON type in the project); DevTools messages are parsed
/// with `JSONSerialization` here, not the wire's strict parser, because Chromium's replies (a
/// page's whole DOM, a screenshot in base64) are far beyond the wire's limits and are trusted.
public typealias DevToolsValue = JSONValue

extension JSONValue {
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
            self = .array(try array.map { try JSONValue(foundation: $0) })
        case let dictionary as [String: Any]:
            var members: [String: DevToolsValue] = [:]
            members.reserveCapacity(dictionary.count)
            for (key, value) in dictionary { members[key] = try JSONValue(foundation: value) }
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
