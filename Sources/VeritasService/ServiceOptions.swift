import ArgumentParser
import Foundation
import VeritasConfiguration

/// The options every service executable takes (`--config`, `--data-dir`, `--set`,
/// `--list-settings`) and the one way they become its configuration: defaults, then the YAML file,
/// then the environment, then the flags.
public struct ServiceOptions: ParsableArguments {
    @Option(help: "YAML configuration file (default: config/<service>.yaml when it exists).")
    public var config: String?

    @Option(name: .customLong("data-dir"), help: "Data folder (data.directory).")
    public var dataDirectory: String?

    @Option(name: .customLong("set"), help: "Any setting as key=value (every key: --list-settings).")
    public var settings: [String] = []

    @Flag(help: "Print every setting with its environment variable and default, and exit.")
    public var listSettings = false

    public init() {}

    /// The configuration these options and `flags` (the executable's own, as dotted keys) give:
    /// `defaultFile` when `--config` is not given and it exists; `load` is the settings type's
    /// loader. A bad value is a usage error that names it.
    public func configuration<Settings>(
        defaultFile: String, flags: [String: String],
        load: (_ file: String?, _ environment: [String: String], _ overrides: [String: String]) throws(ConfigurationError) -> Settings
    ) throws -> Settings {
        var overrides: [String: String]
        do {
            overrides = try ServiceLauncher.overrides(fromSetFlags: settings)
        } catch {
            throw ValidationError(error.description)
        }
        overrides.merge(flags) { $1 }
        if let dataDirectory { overrides["data.directory"] = dataDirectory }
        let file = config ?? (FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil)
        do {
            return try load(file, ProcessInfo.processInfo.environment, overrides)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
