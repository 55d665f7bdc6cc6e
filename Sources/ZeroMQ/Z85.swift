/// Z85, ZeroMQ's printable encoding of binary keys (RFC 32/Z85): 4 bytes become 5 characters.
///
/// CURVE keys are 32 bytes, so their Z85 form is 40 characters; that is how keys appear in
/// configuration files and on the command line.
public enum Z85 {
    /// Why a Z85 conversion failed.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private static let alphabet = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8
    )
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes`, whose count must be a multiple of 4.
    public static func encode(_ bytes: [UInt8]) throws(Error) -> String {
        guard bytes.count % 4 == 0 else {
            throw Error(description: "Z85 encodes a multiple of 4 bytes; got \(bytes.count)")
        }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count / 4 * 5)
        var index = 0
        while index < bytes.count {
            var value = UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16
            value |= UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
            var chunk = [UInt8](repeating: 0, count: 5)
            for position in stride(from: 4, through: 0, by: -1) {
                chunk[position] = alphabet[Int(value % 85)]
                value /= 85
            }
            output += chunk
            index += 4
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `text`, whose length must be a multiple of 5, rejecting characters outside
    /// the alphabet and groups that overflow 32 bits.
    public static func decode(_ text: String) throws(Error) -> [UInt8] {
        let characters = Array(text.utf8)
        guard characters.count % 5 == 0 else {
            throw Error(description: "Z85 text length must be a multiple of 5; got \(characters.count)")
        }
        var output = [UInt8]()
        output.reserveCapacity(characters.count / 5 * 4)
        var index = 0
        while index < characters.count {
            var value: UInt64 = 0
            for offset in 0..<5 {
                let digit = decodeTable[Int(characters[index + offset])]
                guard digit != 0xFF else {
                    throw Error(description: "invalid Z85 character at position \(index + offset)")
                }
                value = value * 85 + UInt64(digit)
            }
            guard value <= UInt64(UInt32.max) else {
                throw Error(description: "Z85 group at position \(index) exceeds 32 bits")
            }
            output += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                       UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
            index += 5
        }
        return output
    }
}
