/// An event pushed by Chromium, such as `Page.lifecycleEvent`.
struct DevToolsEvent: Sendable {
    /// The event name, for example `Page.loadEventFired`.
    let method: String
    /// The event's parameters.
    let params: [String: DevToolsValue]
    /// The session the event belongs to; `nil` for browser-level events.
    let sessionID: String?
}
