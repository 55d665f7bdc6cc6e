import Foundation

/// One configuration setting: its YAML path, environment variable and how it sets a value.
///
/// Shared by `veritas-writer` and `veritas-runner`, so both read their YAML files, environment
/// variables and `--set key=value` flags the same way (see ``ConfigurationLoader``).
///
/// ```swift
/// static let keys: [ConfigurationKey<MySettings>] = [
///     .integer("pool.size", env: "APP_POOL_SIZE", "connections in the pool", \.poolSize, range: 1...64),
/// ]
/// ```
public struct ConfigurationKey<Settings>: Sendable {
    /// The dotted YAML path, e.g. `persistence.enabled`.
    public let path: String
    /// The environment variable that overrides it.
    public let environment: String
    /// One line for the README table.
    public let summary: String
    let assign: @Sendable (inout Settings, String) throws(ConfigurationError) -> Void
    let render: @Sendable (Settings) -> String

    /// Sets the value from its text form, checking it.
    public func assign(_ text: String, to settings: inout Settings) throws(ConfigurationError) {
        try assign(&settings, text)
    }

    /// The value's text form, for start-up logs.
    public func value(in settings: Settings) -> String {
        render(settings)
    }

    /// A string setting; `allowEmpty` lets an empty value mean "automatic"; `shown` is what logs
    /// and `--list-settings` print of it (``SettingDisplay/hidden(_:)`` for a password, ``SettingDisplay/withoutPassword(_:)`` for a URL).
    public static func string(
        _ path: String, env: String, _ summary: String, _ keyPath: WritableKeyPath<Settings, String> & Sendable,
        allowed: [String]? = nil, allowEmpty: Bool = false, shown: @escaping @Sendable (String) -> String = { $0 }
    ) -> Self {
        ConfigurationKey(path: path, environment: env, summary: summary, assign: { (settings, text) throws(ConfigurationError) in
            let value = text.trimmingCharacters(in: .whitespaces)
            if let allowed, !allowed.contains(value) {
                throw ConfigurationError("\(path) must be one of \(allowed.joined(separator: ", ")); got '\(value)'")
            }
            guard allowEmpty || !value.isEmpty else { throw ConfigurationError("\(path) must not be empty") }
            settings[keyPath: keyPath] = value
        }, render: { shown($0[keyPath: keyPath]) })
    }

    /// An integer setting within `range`.
    public static func integer(
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
    public static func boolean(
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

/// How a setting's value is shown in start-up logs and `--list-settings` when it must not be shown whole.
public enum SettingDisplay {
    /// A secret as logs show it: whether it is set, never what it is.
    public static func hidden(_ value: String) -> String {
        value.isEmpty ? "" : "(set, hidden)"
    }

    /// A URL as logs show it: any password in it replaced.
    public static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "hidden"
        return components.string ?? "(hidden)"
    }
}
