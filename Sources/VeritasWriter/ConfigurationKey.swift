/// One configuration setting: its YAML path, environment variable and how it sets a value.
public struct ConfigurationKey<Settings>: Sendable {
    /// The dotted YAML path, e.g. `persistence.enabled`.
    public let path: String
    /// The environment variable that overrides it.
    public let environment: String
    /// One line for the README table.
    public let summary: String
    let assign: @Sendable (inout Settings, String) throws(ConfigurationError) -> Void
    let render: @Sendable (Settings) -> String

    /// A string setting.
    static func string(
        _ path: String, env: String, _ summary: String, _ keyPath: WritableKeyPath<Settings, String> & Sendable,
        allowed: [String]? = nil
    ) -> Self {
        ConfigurationKey(path: path, environment: env, summary: summary, assign: { (settings, text) throws(ConfigurationError) in
            let value = text.trimmingCharacters(in: .whitespaces)
            if let allowed, !allowed.contains(value) {
                throw ConfigurationError("\(path) must be one of \(allowed.joined(separator: ", ")); got '\(value)'")
            }
            guard !value.isEmpty else { throw ConfigurationError("\(path) must not be empty") }
            settings[keyPath: keyPath] = value
        }, render: { $0[keyPath: keyPath] })
    }

    /// An integer setting within `range`.
    static func integer(
        _ path: String, env: String, _ summary: String, _ keyPath: WritableKeyPath<Settings, Int> & Sendable,
        range: ClosedRange<Int>
    ) -> Self {
        ConfigurationKey(path: path, environment: env, summary: summary, assign: { (settings, text) throws(ConfigurationError) in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw ConfigurationError("\(path) must be a whole number in \(range.lowerBound)...\(range.upperBound); got '\(text)'")
            }
            settings[keyPath: keyPath] = value
        }, render: { String($0[keyPath: keyPath]) })
    }

    /// A boolean setting (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`).
    static func boolean(
        _ path: String, env: String, _ summary: String, _ keyPath: WritableKeyPath<Settings, Bool> & Sendable
    ) -> Self {
        ConfigurationKey(path: path, environment: env, summary: summary, assign: { (settings, text) throws(ConfigurationError) in
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes", "on": settings[keyPath: keyPath] = true
            case "false", "0", "no", "off": settings[keyPath: keyPath] = false
            default: throw ConfigurationError("\(path) must be true or false; got '\(text)'")
            }
        }, render: { String($0[keyPath: keyPath]) })
    }
}

/// A configuration value that cannot be used, with the key and the reason.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
