import Foundation
import Yams

/// The repository's docker files, read for the checks (no Docker engine needed).
enum Repository {
    /// The package root (this file is Tests/DeploymentTests/ComposeFile.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }
}

/// A compose file as plain YAML values.
struct ComposeFile {
    let path: String
    let document: [String: Any]

    init(_ relative: String) throws {
        path = relative
        guard let document = try Yams.load(yaml: try Repository.text(relative)) as? [String: Any] else {
            throw DeploymentTestError("\(relative) is not a YAML mapping")
        }
        self.document = document
    }

    var services: [String: [String: Any]] { (document["services"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] } }
    var namedVolumes: Set<String> { Set((document["volumes"] as? [String: Any] ?? [:]).keys) }
    var secrets: [String: [String: Any]] { (document["secrets"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] } }

    /// A service's environment as written, `${VAR:-default}` resolved to its default.
    func environment(of service: String) -> [String: String] {
        let raw = services[service]?["environment"]
        var result: [String: String] = [:]
        if let mapping = raw as? [String: Any] {
            for (key, value) in mapping { result[key] = Self.interpolate("\(value)") }
        } else if let list = raw as? [String] {
            for item in list {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                result[parts[0]] = parts.count > 1 ? Self.interpolate(parts[1]) : ""
            }
        }
        return result
    }

    /// `${NAME:-default}` → `default`, `${NAME}` → empty: what compose uses when NAME is unset.
    static func interpolate(_ value: String) -> String {
        var output = ""
        var rest = Substring(value)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return output + rest[start.lowerBound...] }
            let inner = rest[start.upperBound..<end]
            if let dash = inner.range(of: ":-") { output += inner[dash.upperBound...] }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    /// The service's volume entries as strings (`source:target[:mode]` or a bare target).
    func volumes(of service: String) -> [String] {
        (services[service]?["volumes"] as? [Any] ?? []).compactMap { $0 as? String }
    }

    /// The service's health check command.
    func healthcheck(of service: String) -> [String] {
        ((services[service]?["healthcheck"] as? [String: Any])?["test"] as? [Any] ?? []).map { "\($0)" }
    }
}

/// The Dockerfile's stages and instructions.
struct Dockerfile {
    /// Each stage: its name and its instruction lines (continuations joined).
    let stages: [(name: String, base: String, lines: [String])]

    init(_ relative: String) throws {
        var joined: [String] = []
        var current = ""
        for raw in try Repository.text(relative).split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || (line.isEmpty && current.isEmpty) { continue }
            if line.hasSuffix("\\") {
                current += line.dropLast() + " "
            } else {
                joined.append(current + line)
                current = ""
            }
        }
        var stages: [(String, String, [String])] = []
        var arguments: [String: String] = [:]
        for line in joined where !line.isEmpty {
            let words = line.split(separator: " ").map(String.init)
            if words.first?.uppercased() == "ARG", stages.isEmpty, words.count > 1 {
                // A global ARG with a default: what `FROM ${NAME}` resolves to unless overridden.
                let parts = words[1].split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { arguments[parts[0]] = parts[1] }
            } else if words.first?.uppercased() == "FROM" {
                let name = words.count >= 4 && words[2].uppercased() == "AS" ? words[3] : "stage\(stages.count)"
                var base = words.count > 1 ? words[1] : ""
                for (argument, value) in arguments { base = base.replacingOccurrences(of: "${\(argument)}", with: value) }
                stages.append((name, base, []))
            } else if !stages.isEmpty {
                stages[stages.count - 1].2.append(line)
            }
        }
        self.stages = stages.map { (name: $0.0, base: $0.1, lines: $0.2) }
    }

    func stage(_ name: String) -> (name: String, base: String, lines: [String])? { stages.first { $0.name == name } }

    /// Instructions of `name` and the stages it builds on, base first.
    func lineage(of name: String) -> [String] {
        guard let stage = stage(name) else { return [] }
        return (self.stage(stage.base) != nil ? lineage(of: stage.base) : []) + stage.lines
    }
}

struct DeploymentTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
