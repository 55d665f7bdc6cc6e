import VeritasProtocol

/// Recognises screenshot formats from their bytes, never from what the sender claims.
///
/// More than a magic-number check: a file must also be structurally whole (a PNG starts with
/// its IHDR chunk and ends with IEND; a JPEG ends with EOI; a WebP's RIFF size matches), so a
/// truncated upload or random bytes behind a PNG signature are refused, not stored.
public enum ImageFormat {
    /// The format `bytes` are in, or `nil` when they are not a whole PNG, JPEG or WebP image.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageContentType? {
        if isPNG(bytes) { return .png }
        if isJPEG(bytes) { return .jpeg }
        if isWebP(bytes) { return .webp }
        return nil
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    // Length 0, "IEND", and the chunk's fixed CRC.
    private static let pngEnd: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    static func isPNG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 crc) + IEND chunk (12)
        guard bytes.count >= 8 + 25 + 12, bytes.starts(with: pngSignature) else { return false }
        let ihdr: [UInt8] = [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        guard bytes[8..<16].elementsEqual(ihdr) else { return false }
        return bytes.suffix(12).elementsEqual(pngEnd)
    }

    static func isJPEG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF else { return false }
        return bytes[bytes.count - 2] == 0xFF && bytes[bytes.count - 1] == 0xD9
    }

    static func isWebP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // "RIFF" <size: u32 little-endian = total - 8> "WEBP" then a VP8 / VP8L / VP8X chunk.
        guard bytes.count >= 20, bytes.starts(with: Array("RIFF".utf8)),
              bytes[8..<12].elementsEqual(Array("WEBP".utf8)),
              bytes[12..<15].elementsEqual(Array("VP8".utf8)) else { return false }
        let size = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        return size == bytes.count - 8
    }
}
