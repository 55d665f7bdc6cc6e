import Foundation

/// Technical hygiene of the page: the basics a careful operator gets right.
///
/// | check | points |
/// | --- | --- |
/// | served over HTTPS | 25 |
/// | no active mixed content (http scripts or form actions on an https page) | 15 |
/// | at most 2 redirects | 10 |
/// | `<html lang>` | 15 |
/// | a `<title>` | 15 |
/// | a meta description | 10 |
/// | page under 1 MiB | 10 |
public struct HygieneSignals: Sendable, Equatable {
    /// The final URL is https.
    public var https: Bool
    /// On an https page, the scripts and form actions that use plain http.
    public var mixedContent: [String]
    /// Redirects before the page.
    public var redirects: Int
    /// `<html lang>` is set.
    public var hasLanguage: Bool
    /// The page has a non-empty `<title>`.
    public var hasTitle: Bool
    /// The page has a non-empty meta description.
    public var hasDescription: Bool
    /// The size of the HTML as served.
    public var pageBytes: Int

    /// 0...100, from the table above.
    public var score: Int {
        (https ? 25 : 0) + (mixedContent.isEmpty ? 15 : 0) + (redirects <= 2 ? 10 : 0) + (hasLanguage ? 15 : 0)
            + (hasTitle ? 15 : 0) + (hasDescription ? 10 : 0) + (pageBytes < 1_048_576 ? 10 : 0)
    }

    /// The checks that failed, in words.
    public var problems: [String] {
        var problems: [String] = []
        if !https { problems.append("not served over HTTPS") }
        if !mixedContent.isEmpty { problems.append("loads \(mixedContent.count) resource(s) over plain http (\(mixedContent.prefix(2).joined(separator: ", ")))") }
        if redirects > 2 { problems.append("\(redirects) redirects before the page") }
        if !hasLanguage { problems.append("no page language declared") }
        if !hasTitle { problems.append("no page title") }
        if !hasDescription { problems.append("no meta description") }
        if pageBytes >= 1_048_576 { problems.append("page weighs \(pageBytes / 1024) KiB") }
        return problems
    }

    /// - Parameters:
    ///   - page: The audited page (its document supplies language, title, description, scripts, forms).
    ///   - finalURL: The URL after redirects.
    ///   - redirects: How many redirects led there.
    ///   - pageBytes: The size of the HTML as served.
    public init(page: AuditedPage, finalURL: URL, redirects: Int, pageBytes: Int) {
        let document = page.document
        https = finalURL.scheme?.lowercased() == "https"
        var mixed: [String] = []
        if https {
            mixed += document.scripts.compactMap { $0.url?.scheme?.lowercased() == "http" ? $0.url?.absoluteString : nil }
            mixed += document.forms.compactMap { form in
                guard let action = form.action, let url = URL(string: action, relativeTo: finalURL)?.absoluteURL,
                      url.scheme?.lowercased() == "http" else { return nil }
                return url.absoluteString
            }
        }
        mixedContent = mixed
        self.redirects = redirects
        hasLanguage = !(document.lang ?? "").isEmpty
        hasTitle = !(document.title ?? "").isEmpty
        hasDescription = !(document.metaDescription ?? "").isEmpty
        self.pageBytes = pageBytes
    }
}
