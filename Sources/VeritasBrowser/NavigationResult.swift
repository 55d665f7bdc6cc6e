import Foundation

/// What ``BrowserPage/navigate(to:)`` found after the page loaded.
public struct NavigationResult: Sendable, Equatable {
    /// The URL that was asked for.
    public let requestedURL: URL
    /// `location.href` after loading (differs from ``requestedURL`` after redirects);
    /// `nil` if it could not be read.
    public let finalURL: String?
    /// The HTTP status of the main document from the Navigation Timing API
    /// (`responseStatus`), `nil` when unknown. Chromium reports 200 for `file:` and `data:` URLs.
    public let httpStatus: Int?

    /// Creates a value; normally produced by ``BrowserPage/navigate(to:)``.
    public init(requestedURL: URL, finalURL: String?, httpStatus: Int?) {
        self.requestedURL = requestedURL
        self.finalURL = finalURL
        self.httpStatus = httpStatus
    }
}
