import VeritasProtocol

/// The `{"code", "message"}` error object of docs/PROTOCOL.md §4, as a peer may send it: a code
/// (here: 1-64 characters of `[a-z_]`; unknown codes are read as `internal`) and a message of
/// 1-4096 code points that, like every multi-line field, may hold tab, LF and CR but no other
/// control character (§3.2: "`error_message` (and `error.message`) additionally allow tab, line
/// feed and carriage return"). Returns the message when `value` is such an object, else `nil`.
public func documentedErrorMessage(_ value: JSONValue?) -> String? {
    guard case .object(let fields)? = value,
        case .string(let code)? = fields["code"], case .string(let message)? = fields["message"]
    else { return nil }
    let codeBytes = code.utf8
    guard (1...64).contains(codeBytes.count), codeBytes.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x5F }) else { return nil }
    guard (1...ProtocolLimits.maxErrorMessageLength).contains(scalarCount(message)), hasNoControls(message, multiline: true)
    else { return nil }
    return message
}
