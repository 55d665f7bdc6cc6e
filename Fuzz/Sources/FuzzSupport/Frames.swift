import Foundation

/// Splits one fuzz input into the 1 to 3 frames of a ZeroMQ multipart message.
///
/// Layout: byte 0 chooses the shape: `count = 1 + b0 % 3` frames, and when `(b0 / 3) % 2 == 1`
/// the frames are `Data` slices of one buffer (non-zero `startIndex`) rather than fresh copies.
/// With 2 or 3 frames, bytes 1-2 give the length of the last frame (little-endian), and with 3
/// frames bytes 3-4 the length of the middle one; lengths are clamped to what is left. The first
/// frame (the JSON header) is everything in between, so mutating the header never moves the
/// bytes of a trailing image frame.
///
/// Example (2 frames: a 4-byte image after a header): `01 04 00 {"type":...} 89 50 4e 47`.
public enum Frames {
    public static func split(_ input: UnsafeRawBufferPointer) -> [Data] {
        guard let shape = input.first else { return [] }
        let count = 1 + Int(shape % 3)
        let sliced = (shape / 3) % 2 == 1
        var cursor = 1
        func length() -> Int {
            guard cursor + 2 <= input.count else {
                cursor = input.count
                return 0
            }
            defer { cursor += 2 }
            return Int(input[cursor]) | Int(input[cursor + 1]) << 8
        }
        let lastLength = count >= 2 ? length() : 0
        let middleLength = count == 3 ? length() : 0
        var rest = input.count - cursor
        let last = min(lastLength, rest)
        rest -= last
        let middle = min(middleLength, rest)
        rest -= middle
        let bounds = [cursor..<cursor + rest, cursor + rest..<cursor + rest + middle, cursor + rest + middle..<input.count]
        let chosen: [Range<Int>] = switch count {
        case 1: [bounds[0]]
        case 2: [bounds[0], bounds[2]]
        default: bounds
        }
        if sliced {
            // One buffer with a byte in front, so every slice has a non-zero startIndex.
            let whole = Data([0xEE]) + Data(input)
            return chosen.map { whole[($0.lowerBound + 1)..<($0.upperBound + 1)] }
        }
        return chosen.map { Data(UnsafeRawBufferPointer(rebasing: input[$0])) }
    }
}
