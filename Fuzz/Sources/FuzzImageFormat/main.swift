// ImageFormat.detect (module VeritasStore): the writer's check that screenshot bytes are a whole
// PNG, JPEG or WebP image.
//
// ImageFormat.swift is compiled here from a symbolic link to the product's own file rather than
// by depending on VeritasStore, which would pull GRDB and swift-crypto (BoringSSL) into every
// fuzz build and instrument them all; the function is pure and imports only VeritasProtocol.
//
// Oracle: the detection rules of docs/PROTOCOL.md §6.4, restated here independently; the result
// must be exactly the format whose rule the bytes meet (the three are mutually exclusive).
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBuffer(data, size)
    let detected = ImageFormat.detect(bytes)
    let expected = documentedFormat(Array(bytes))
    require(detected == expected, "detected \(String(describing: detected)) but §6.4 says \(String(describing: expected))")
    return 0
}

/// §6.4: PNG: ≥ 45 bytes, signature, IHDR of length 13 first, an empty IEND chunk last. JPEG:
/// ≥ 4 bytes, FF D8 FF first, FF D9 last. WebP: ≥ 20 bytes, RIFF, little-endian size = total − 8,
/// WEBP, then a chunk tag starting VP8.
func documentedFormat(_ bytes: [UInt8]) -> ImageContentType? {
    func at(_ offset: Int, _ expected: [UInt8]) -> Bool {
        offset >= 0 && offset + expected.count <= bytes.count && Array(bytes[offset..<offset + expected.count]) == expected
    }
    let count = bytes.count
    if count >= 45, at(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), at(8, [0, 0, 0, 13] + Array("IHDR".utf8)),
        at(count - 12, [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    {
        return .png
    }
    if count >= 4, at(0, [0xFF, 0xD8, 0xFF]), at(count - 2, [0xFF, 0xD9]) { return .jpeg }
    if count >= 20, at(0, Array("RIFF".utf8)), at(8, Array("WEBP".utf8)), at(12, Array("VP8".utf8)) {
        let size = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
        if Int(size) == count - 8 { return .webp }
    }
    return nil
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
