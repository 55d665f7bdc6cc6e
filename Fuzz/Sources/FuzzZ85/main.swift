// Z85.decode, Z85.encode and CurveKey(z85:) (module ZeroMQ): keys read from configuration files
// and command lines.
//
// Byte 0 picks the mode (b0 % 3); the rest is the input (as UTF-8 text for decoding).
// Invariants: Z85 is a bijection on what it accepts (decode then encode gives the same text;
// encode then decode gives the same bytes; 4 bytes <-> 5 characters); a CURVE key is 32 bytes,
// its z85 is 40 characters found in the input, and it parses back to the same key.
import Foundation
import FuzzSupport
import ZeroMQ

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = inputBuffer(data, size)
    guard let mode = input.first else { return 0 }
    let rest = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    switch mode % 3 {
    case 0:
        let text = String(decoding: rest, as: UTF8.self)
        guard let bytes = try? Z85.decode(text) else { return 0 }
        require(bytes.count == text.utf8.count / 5 * 4, "\(text.utf8.count) characters decoded to \(bytes.count) bytes")
        guard let encoded = try? Z85.encode(bytes) else { violated("decoded bytes do not encode") }
        require(sameBytes(encoded, text), "decode then encode changed \(text.debugDescription) to \(encoded.debugDescription)")
    case 1:
        let text = String(decoding: rest, as: UTF8.self)
        guard let key = try? CurveKey(z85: text) else { return 0 }
        require(key.bytes.count == 32, "a key of \(key.bytes.count) bytes")
        let z85 = key.z85
        require(z85.utf8.count == 40, "key text of \(z85.utf8.count) characters")
        require(text.utf8.count >= 40 && text.contains(z85), "key text \(z85) is not in the input")
        require((try? CurveKey(z85: z85)) == key, "key text does not parse back to the key")
    default:
        let bytes = Array(rest)
        guard let text = try? Z85.encode(bytes) else {
            require(bytes.count % 4 != 0, "refused to encode \(bytes.count) bytes")
            return 0
        }
        require(bytes.count % 4 == 0, "encoded \(bytes.count) bytes, not a multiple of 4")
        require(text.utf8.count == bytes.count / 4 * 5, "\(bytes.count) bytes encoded to \(text.utf8.count) characters")
        require((try? Z85.decode(text)) == bytes, "encode then decode changed the bytes")
    }
    return 0
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
