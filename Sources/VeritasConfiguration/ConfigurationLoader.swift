import Foundation
import Yams

/// Builds settings from their sources, later ones winning: the defaults, a YAML file of nested
/// mappings (`config/writer.yaml`, `config/runner.yaml`), the environment, then overrides
/// (command-line flags, as dotted paths).
public enum ConfigurationLoader {
    /// Applies the file (if any), the environment and the overrides to `defaults`.
    ///
    /// - Parameters:
    ///   - file: a YAML file; `nil` uses none. A missing file that was named is an error, and so
    ///     is a key the file sets that `keys` does not know (a typo must not pass silently).
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - overrides: dotted keys set by command-line flags, applied last.
    public static func load<Settings>(
        _ defaults: Settings, keys: [ConfigurationKey<Settings>], file: String?, environment: [String: String],
        overrides: [String: String]
    ) throws(ConfigurationError) -> Settings {
        var settings = defaults
        let byPath = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })
        if let file {
            for (path, value) in try flattenYAML(file: file) {
                guard let key = byPath[path] else {
                    throw ConfigurationError("\(file): unknown setting '\(path)'; known: \(keys.map(\.path).joined(separator: ", "))")
                }
                try key.assign(&settings, value)
            }
        }
        for key in keys {
            if let value = environment[key.environment] { try key.assign(&settings, value) }
        }
        for (path, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = byPath[path] else { throw ConfigurationError("unknown setting '\(path)'") }
            try key.assign(&settings, value)
        }
        return settings
    }

    /// `path = value` of every key, for the start-up log.
    public static func summary<Settings>(of settings: Settings, keys: [ConfigurationKey<Settings>]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0.render(settings)) })
    }

    /// Reads a YAML file of nested mappings into dotted paths with scalar values.
    public static func flattenYAML(file: String) throws(ConfigurationError) -> [(String, String)] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read configuration file \(file): \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(file) is not valid YAML: \(error)")
        }
        guard let root else { return [] }
        var pairs: [(String, String)] = []
        func walk(_ node: Node, _ prefix: String) throws(ConfigurationError) {
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping {
                    guard let name = key.string else { throw ConfigurationError("\(file): a key under '\(prefix)' is not text") }
                    try walk(value, prefix.isEmpty ? name : "\(prefix).\(name)")
                }
            case let .scalar(scalar):
                // An empty value (`key:`) keeps the default.
                if !scalar.string.isEmpty && scalar.string != "~" && scalar.string != "null" {
                    pairs.append((prefix, scalar.string))
                }
            case .sequence:
                throw ConfigurationError("\(file): '\(prefix)' is a list; settings are single values")
            case .alias:
                throw ConfigurationError("\(file): '\(prefix)' uses a YAML alias, which is not supported")
            }
        }
        try walk(root, "")
        return pairs
    }
}
