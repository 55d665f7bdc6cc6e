/// The image formats a screenshot may have. The writer checks the bytes' magic numbers against
/// this declared type; this module only validates the name.
public enum ImageContentType: String, Sendable, Equatable, Hashable, CaseIterable {
    case png = "image/png"
    case jpeg = "image/jpeg"
    case webp = "image/webp"

    /// The file extension the writer uses when saving, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }
}
