import Foundation
import Logging
import VeritasProtocol

/// A swift-log handler that writes one JSON object per line to standard error:
/// `{"ts": ..., "level": ..., "label": ..., "msg": ..., <metadata>}`, which log shippers can
/// index without parsing prose.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "ts": .string(Timestamp.now.description),
            "level": .string(event.level.rawValue),
            "label": .string(label),
            "msg": .string(event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where object[key] == nil {
            object[key] = Self.json(value)
        }
        var line = JSONValue.object(object).encoded()
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case let .string(text): .string(text)
        case let .stringConvertible(convertible): .string(convertible.description)
        case let .array(values): .array(values.map(json))
        case let .dictionary(dictionary): .object(dictionary.mapValues(json))
        }
    }
}

extension LoggingSystem {
    /// Sets up logging once per process: JSON lines or plain text, at `level`.
    public static func bootstrapVeritas(format: String, level: String) {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == "text"
                ? StreamLogHandler.standardError(label: label)
                : JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
