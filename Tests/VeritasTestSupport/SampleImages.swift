import Foundation

/// Images the tests send as screenshots.
public enum SampleImages {
    /// A minimal whole PNG: signature, the IHDR of a 1×1 RGBA image, IEND. Passes the writer's
    /// structural check (``VeritasStore/ImageFormat``) and a report can read its size.
    public static let minimalPNG: Data = {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89]
        bytes += [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        return Data(bytes)
    }()
}
