// JSONValue.decode: the bounded parser every decoder goes through.
//
// Invariants when the input parses: the value is at most ProtocolLimits.maxJSONDepth deep; its
// encoding parses back to an equal value with an equal hash; encoding is canonical (encoding the
// re-parsed value gives the same bytes). When it does not parse: a bad_request whose message
// starts "malformed JSON" (docs/PROTOCOL.md §3.1).
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(inputBuffer(data, size))
    let value: JSONValue
    do {
        value = try JSONValue.decode(input)
    } catch {
        checkError(error, allowed: [.badRequest])
        require(error.message.hasPrefix("malformed JSON"), "parse error not phrased as malformed JSON: \(error.message)")
        return 0
    }
    require(depth(of: value) <= ProtocolLimits.maxJSONDepth, "accepted a value \(depth(of: value)) levels deep")

    let encoded = value.encoded()
    let again: JSONValue
    do {
        again = try JSONValue.decode(encoded)
    } catch {
        violated("re-encoded value does not parse (\(error)); encoded: \(hexPrefix(encoded))")
    }
    require(again == value, "round trip changed the value; encoded: \(hexPrefix(encoded))")
    require(again.hashValue == value.hashValue, "equal values with different hashes")
    require(again.encoded() == encoded, "encoding is not canonical; first: \(hexPrefix(encoded))")
    return 0
}

/// Levels of `[`/`{` nesting, counted independently of the module's own helper.
func depth(of value: JSONValue) -> Int {
    switch value {
    case .array(let items): 1 + (items.map(depth(of:)).max() ?? 0)
    case .object(let fields): 1 + (fields.values.map(depth(of:)).max() ?? 0)
    default: 0
    }
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
