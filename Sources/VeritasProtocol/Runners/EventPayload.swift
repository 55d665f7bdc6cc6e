import Foundation

/// The payload of a runner event, one case per runner-sendable ``EventName``.
///
/// The screenshot case carries the image bytes next to its metadata because they travel in the
/// same ZeroMQ message (frame 2); everything else is JSON only.
public enum EventPayload: Sendable, Equatable, Hashable {
    case started(StartedEventPayload)
    case progress(ProgressEventPayload)
    case screenshot(ScreenshotEventPayload, bytes: Data)
    case completed(CompletedEventPayload)
    case error(ErrorEventPayload)

    /// A screenshot payload whose `byte_count` is taken from `image`, so the two cannot disagree.
    public static func screenshot(
        index: Int, label: String, contentType: ImageContentType, image: Data, sha256: String? = nil
    ) -> EventPayload {
        .screenshot(
            ScreenshotEventPayload(index: index, label: label, contentType: contentType, byteCount: image.count, sha256: sha256),
            bytes: image)
    }

    /// The event name this payload belongs to.
    public var name: EventName {
        switch self {
        case .started: .started
        case .progress: .progress
        case .screenshot: .screenshot
        case .completed: .completed
        case .error: .error
        }
    }

    /// The JSON payload object; for screenshots the metadata only, never the bytes. This is
    /// exactly what the feed republishes.
    public var jsonValue: JSONValue {
        switch self {
        case .started(let payload): payload.jsonValue
        case .progress(let payload): payload.jsonValue
        case .screenshot(let payload, _): payload.jsonValue
        case .completed(let payload): payload.jsonValue
        case .error(let payload): payload.jsonValue
        }
    }

    /// The image bytes of a screenshot event; `nil` for the others.
    public var imageBytes: Data? {
        if case .screenshot(_, let bytes) = self { return bytes }
        return nil
    }
}
