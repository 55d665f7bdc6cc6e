import Foundation

/// The dimensions stored in a PNG file's IHDR chunk, which PNG requires to come first.
struct PNGHeader: Sendable, Equatable {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    let width: Int
    let height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Reads the header of `data`, or returns `nil` if `data` does not start like a PNG file:
    /// the 8-byte signature, then an IHDR chunk whose width and height are bytes 16..<24.
    init?(_ data: Data) {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, Array(bytes[0..<8]) == Self.signature,
              Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func bigEndian(_ offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        width = bigEndian(16)
        height = bigEndian(20)
        guard width > 0, height > 0 else { return nil }
    }

    /// Decodes the base64 `data` field of a `Page.captureScreenshot` reply and checks it is a PNG.
    static func decodeScreenshot(_ reply: [String: DevToolsValue], method: String) throws -> (png: Data, header: PNGHeader) {
        guard let base64 = reply["data"]?.stringValue else {
            throw BrowserError.invalidResponse(method: method, reason: "no data field")
        }
        guard let png = Data(base64Encoded: base64) else {
            throw BrowserError.invalidResponse(method: method, reason: "data is not valid base64")
        }
        guard let header = PNGHeader(png) else {
            throw BrowserError.invalidResponse(method: method, reason: "data is not a PNG image (\(png.count) bytes)")
        }
        return (png, header)
    }
}
