import Foundation
import VeritasProtocol

/// An image's size in pixels, read from its header, so a report can draw findings' boxes in the
/// image's own coordinates.
struct ImageSize: Equatable {
    var width: Int
    var height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The size of a PNG (its `IHDR`) or a JPEG (its first start-of-frame); `nil` for another
    /// format or a damaged header. The writer checked the image when it stored it, but a report
    /// never trusts that: a bad header only loses the outlines, not the report.
    init?(_ image: Data, contentType: ImageContentType) {
        let bytes = [UInt8](image.prefix(64 * 1024))
        switch contentType {
        case .png:
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
            self.init(checkedWidth: Self.bigEndian(bytes, 16, 4), height: Self.bigEndian(bytes, 20, 4))
        case .jpeg:
            guard let size = Self.jpegSize(bytes) else { return nil }
            self.init(checkedWidth: size.width, height: size.height)
        case .webp:
            return nil
        }
    }

    private init?(checkedWidth width: Int, height: Int) {
        guard (1...100_000).contains(width), (1...100_000).contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    /// Walks the JPEG's marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
    private static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var offset = 2
        while offset + 9 < bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            let length = bigEndian(bytes, offset + 2, 2)
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (width: bigEndian(bytes, offset + 7, 2), height: bigEndian(bytes, offset + 5, 2))
            }
            guard length >= 2 else { return nil }
            offset += 2 + length
        }
        return nil
    }
}
