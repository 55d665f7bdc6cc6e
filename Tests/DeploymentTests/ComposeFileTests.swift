import Foundation
import Testing
import VeritasProtocol
import VeritasConsole
import VeritasRunner
import VeritasTestSupport
import VeritasWriter
import ZeroMQ

/// docker/compose.yaml, docker/compose.curve.yaml and docker/Dockerfile checked against the
/// project, since no Docker engine runs here: every service, volume, port, variable, file and
/// command they name exists and means what the project says it means.
@Suite("docker compose files match the project")
struct ComposeFileTests {
    static let services = ["writer", "runner", "console"]

    @Test("services build from the repository with a Dockerfile stage each, restart, and drain on SIGTERM")
    func servicesBuildAndStop() throws {
        let compose = try ComposeFile("docker/compose.yaml")
        let dockerfile = try Dockerfile("docker/Dockerfile")
        #expect(Set(compose.services.keys) == Set(Self.services))
        for name in Self.services {
            let service = try #require(compose.services[name])
            let build = try #require(service["build"] as? [String: Any], "\(name) has a build section")
            let context = Repository.url("docker").appendingPathComponent(try #require(build["context"] as? String)).standardized
            #expect(context.path == Repository.root.standardized.path, "\(name) builds from the repository root")
            let file = try #require(build["dockerfile"] as? String)
            #expect(FileManager.default.fileExists(atPath: context.appendingPathComponent(file).path))
            let target = try #require(build["target"] as? String)
            #expect(target == name)
            #expect(dockerfile.stage(target) != nil, "Dockerfile has a stage '\(target)'")
            #expect(["always", "unless-stopped", "on-failure"].contains(service["restart"] as? String), "\(name) restarts")
            #expect((service["stop_signal"] as? String ?? "SIGTERM") == "SIGTERM")
        }
        // Runners must be scalable: no fixed container name, no fixed host port.
        let runner = try #require(compose.services["runner"])
        #expect(runner["container_name"] == nil)
        #expect(runner["ports"] == nil)

        // Grace periods outlast what each service does on SIGTERM.
        let runnerDefaults = try RunnerConfiguration.load(file: Repository.url("config/runner.yaml").path, environment: [:])
        let runnerStop = try Self.seconds(try #require(runner["stop_grace_period"] as? String))
        #expect(runnerStop * 1000 >= Double(runnerDefaults.shutdownGraceMilliseconds + runnerDefaults.shutdownDrainMilliseconds) + 10_000,
                "runner stop_grace_period covers shutdown.grace_ms + shutdown.drain_ms with margin")
        let writerStop = try Self.seconds(try #require(compose.services["writer"]?["stop_grace_period"] as? String))
        #expect(writerStop >= 10)
    }

    @Test("the top-level compose.yaml includes docker/compose.yaml, so `docker compose up --scale runner=3` works from the root")
    func rootFileIncludesTheDeployment() throws {
        let root = try ComposeFile("compose.yaml")
        let entries = try #require(root.document["include"] as? [Any])
        let included = entries.map { "\($0)" }
        #expect(included == ["docker/compose.yaml"])
        #expect(root.services.isEmpty, "one definition of each service, in docker/")
    }

    @Test("every environment variable is a setting of that service, with a valid value")
    func environmentMatchesTheConfigurationKeys() throws {
        for file in ["docker/compose.yaml", "docker/compose.curve.yaml", "docker/compose.postgres.yaml"] {
            let compose = try ComposeFile(file)
            let writerEnvironment = compose.environment(of: "writer")
            let writerKeys = Set(WriterConfiguration.keys.map(\.environment))
            for name in writerEnvironment.keys { #expect(writerKeys.contains(name), "\(file): writer variable \(name) is not a writer setting") }
            let runnerEnvironment = compose.environment(of: "runner")
            let runnerKeys = Set(RunnerConfiguration.keys.map(\.environment))
            for name in runnerEnvironment.keys { #expect(runnerKeys.contains(name), "\(file): runner variable \(name) is not a runner setting") }
            let consoleKeys = Set(ConsoleConfiguration.keys.map(\.environment))
            for name in compose.environment(of: "console").keys { #expect(consoleKeys.contains(name), "\(file): console variable \(name) is not a console setting") }
        }
        // The values (defaults filled in) load with the image's configuration files.
        let compose = try ComposeFile("docker/compose.yaml")
        let writer = try WriterConfiguration.load(file: Repository.url("config/writer.yaml").path, environment: compose.environment(of: "writer"))
        #expect(writer.persistenceEnabled, "USE_DB_PERSISTENCE defaults to true")
        #expect(writer.dataDirectory == "/var/lib/veritas/data")
        let runner = try RunnerConfiguration.load(file: Repository.url("config/runner.yaml").path, environment: compose.environment(of: "runner"))
        #expect(runner.writerEndpoints == ["tcp://writer:\(Self.port(DefaultEndpoints.runnersBind))"], "runners reach the writer service by name")
        #expect(runner.dataDirectory == "/var/lib/veritas/runner")
        let console = try ConsoleConfiguration.load(file: Repository.url("config/console.yaml").path, environment: compose.environment(of: "console"))
        #expect(console.writerEndpoints == ["tcp://writer:\(Self.port(DefaultEndpoints.queriesBind))"], "the console reads the writer service by name")
        #expect(console.feedEndpoints == ["tcp://writer:\(Self.port(DefaultEndpoints.feedBind))"])
        #expect(console.listenAddress?.port == 8088)
        let consolePorts = (compose.services["console"]?["ports"] as? [Any] ?? []).map { ComposeFile.interpolate("\($0)") }
        #expect(consolePorts == ["127.0.0.1:8088:8088"], "the console is published on loopback only by default")
        #expect(try ConsoleConfiguration.load(file: Repository.url("config/console.yaml").path, environment: [:]).listen == DefaultEndpoints.consoleListen,
                "config/console.yaml keeps the loopback default")
        // The rollback flag is passed through from the shell.
        let rolledBack = try WriterConfiguration.load(
            file: nil, environment: compose.environment(of: "writer").merging(["USE_DB_PERSISTENCE": "false"]) { $1 })
        #expect(!rolledBack.persistenceEnabled)
        #expect(try Repository.text("docker/compose.yaml").contains("USE_DB_PERSISTENCE: ${USE_DB_PERSISTENCE:-true}"))
    }

    @Test("the PostgreSQL overlay: a database with a volume, a health check and a secret password; writers on it that scale; runners and the console listing every writer")
    func postgresOverlay() throws {
        let overlay = try ComposeFile("docker/compose.postgres.yaml")
        let postgres = try #require(overlay.services["postgres"])
        #expect((postgres["image"] as? String)?.hasPrefix("postgres:") == true)
        #expect(overlay.volumes(of: "postgres") == ["postgres-data:/var/lib/postgresql/data"])
        #expect(overlay.namedVolumes == ["postgres-data"])
        #expect(overlay.healthcheck(of: "postgres").prefix(2) == ["CMD", "pg_isready"])
        #expect(overlay.environment(of: "postgres")["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password")
        #expect((overlay.secrets["postgres_password"]?["file"] as? String) == "../keys/postgres_password", "the password comes from keys/, never from the file")
        #expect(!(try Repository.text("docker/compose.postgres.yaml")).contains("POSTGRES_PASSWORD:"), "no password written in the file")

        // Writers: the base file's settings with the overlay's on top load as a postgres writer,
        // its password read from the same secret, waiting for a healthy database.
        let base = try ComposeFile("docker/compose.yaml")
        let environment = base.environment(of: "writer").merging(overlay.environment(of: "writer")) { $1 }
        let writer = try WriterConfiguration.load(file: Repository.url("config/writer.yaml").path, environment: environment)
        #expect(writer.databaseBackend == "postgres")
        #expect(writer.postgresURL.hasPrefix("postgres://veritas@postgres:5432/veritas"))
        #expect(writer.postgresPasswordFile == "/run/secrets/postgres_password")
        #expect(((overlay.services["writer"]?["depends_on"] as? [String: Any])?["postgres"] as? [String: Any])?["condition"] as? String == "service_healthy")
        // Scaling writers needs a host port per replica: ranges, not the base file's single ports.
        let ports = (overlay.services["writer"]?["ports"] as? [Any] ?? []).map { ComposeFile.interpolate("\($0)") }
        #expect(ports == ["127.0.0.1:5555-5556:5555", "127.0.0.1:5557-5558:5557"])
        #expect(try Repository.text("docker/compose.postgres.yaml").contains("ports: !override"), "replaces the base file's ports instead of adding to them")

        // Runners and the console list every writer replica; the list wins over the base file's one writer.
        let runnerEnvironment = base.environment(of: "runner").merging(overlay.environment(of: "runner")) { $1 }
        let runner = try RunnerConfiguration.load(file: Repository.url("config/runner.yaml").path, environment: runnerEnvironment)
        #expect(runner.writerEndpoints == ["tcp://veritas-writer-1:5556", "tcp://veritas-writer-2:5556"])
        let consoleEnvironment = base.environment(of: "console").merging(overlay.environment(of: "console")) { $1 }
        let console = try ConsoleConfiguration.load(file: Repository.url("config/console.yaml").path, environment: consoleEnvironment)
        #expect(console.writerEndpoints == ["tcp://veritas-writer-1:5555", "tcp://veritas-writer-2:5555"])
        #expect(console.feedEndpoints == ["tcp://veritas-writer-1:5557", "tcp://veritas-writer-2:5557"])
        #expect(base.document["name"] as? String == "veritas", "the container names above are <project>-writer-<n>")
        // An old file naming one writer still works, and the list wins when both are set.
        let old = try RunnerConfiguration.load(file: nil, environment: ["VERITAS_WRITER_RUNNERS_ENDPOINT": "tcp://one:5556"])
        #expect(old.writerEndpoints == ["tcp://one:5556"])
        let both = try RunnerConfiguration.load(file: nil, environment: [
            "VERITAS_WRITER_RUNNERS_ENDPOINT": "tcp://one:5556", "VERITAS_WRITER_RUNNERS_ENDPOINTS": "tcp://a:5556,tcp://b:5556",
        ])
        #expect(both.writerEndpoints == ["tcp://a:5556", "tcp://b:5556"])
    }

    @Test("ports are the protocol's endpoints, published on loopback by default; the writer image exposes them")
    func portsMatchTheEndpoints() throws {
        let compose = try ComposeFile("docker/compose.yaml")
        let ports = (compose.services["writer"]?["ports"] as? [Any] ?? []).map { ComposeFile.interpolate("\($0)") }
        let containerPorts = Set(ports.compactMap { $0.split(separator: ":").last.flatMap { Int($0) } })
        #expect(containerPorts == [Self.port(DefaultEndpoints.queriesBind), Self.port(DefaultEndpoints.feedBind)])
        for mapping in ports {
            let parts = mapping.split(separator: ":")
            #expect(parts.count == 3 && parts[1] == parts[2], "\(mapping): published on the same port by default")
            #expect(parts.first == "127.0.0.1", "\(mapping): published on loopback only unless VERITAS_PUBLISH_ADDRESS says otherwise")
        }
        let exposed = try Dockerfile("docker/Dockerfile").lineage(of: "writer").filter { $0.hasPrefix("EXPOSE") }
            .flatMap { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }
        #expect(Set(exposed) == Set([DefaultEndpoints.queriesBind, DefaultEndpoints.runnersBind, DefaultEndpoints.feedBind].map(Self.port)))
    }

    @Test("volumes: the writer's data on a named volume at its data folder, each runner's outbox on its own volume, files that exist")
    func volumesExist() throws {
        let compose = try ComposeFile("docker/compose.yaml")
        let writerData = compose.environment(of: "writer")["VERITAS_DATA_DIR"]
        #expect(compose.volumes(of: "writer").contains { $0 == "writer-data:\(writerData ?? "?")" })
        #expect(compose.namedVolumes == ["writer-data"])
        let runnerData = try #require(compose.environment(of: "runner")["VERITAS_RUNNER_DATA_DIR"])
        #expect(compose.volumes(of: "runner").contains(runnerData), "an anonymous volume per runner replica")
        for file in ["docker/compose.yaml", "docker/compose.curve.yaml"] {
            let compose = try ComposeFile(file)
            for service in Self.services {
                for volume in compose.volumes(of: service) where volume.hasPrefix(".") {
                    let source = String(volume.split(separator: ":")[0])
                    // Keys are the operator's (docs/DEPLOYMENT.md); everything else ships with the project.
                    guard !source.hasPrefix("../keys") else { continue }
                    #expect(FileManager.default.fileExists(atPath: Repository.url("docker").appendingPathComponent(source).path),
                            "\(file): \(service) mounts \(source), which does not exist")
                }
            }
        }
        for (name, secret) in try ComposeFile("docker/compose.curve.yaml").secrets {
            #expect((secret["file"] as? String) == "../keys/\(name)", "secret \(name) comes from keys/")
        }
    }

    @Test("the images: non-root, the libraries the binaries link, Chromium and fonts for runners, entrypoints that exist")
    func dockerfileStages() throws {
        let dockerfile = try Dockerfile("docker/Dockerfile")
        let package = try Repository.text("Package.swift")
        let builder = try #require(dockerfile.stage("builder"))
        #expect(builder.base.contains("swift:6"), "a Swift 6 builder")
        for product in ["veritas-writer", "veritas-runner", "veritas", "veritas-console"] {
            #expect(package.contains(".executable(name: \"\(product)\""), "\(product) is a product")
            #expect(builder.lines.contains { $0.contains("--product \(product)") })
        }
        for (stage, entrypoint, config) in [
            ("writer", "veritas-writer", "writer.yaml"), ("runner", "veritas-runner", "runner.yaml"), ("console", "veritas-console", "console.yaml"),
        ] {
            let lines = dockerfile.lineage(of: stage)
            #expect(dockerfile.stage(stage)?.base == "runtime")
            #expect(lines.last { $0.hasPrefix("USER") } == "USER veritas", "\(stage) runs as the unprivileged user")
            #expect(lines.contains { $0.contains("libzmq5") && $0.contains("libsqlite3-0") })
            #expect(lines.contains { $0.hasPrefix("ENTRYPOINT") && $0.contains("\"\(entrypoint)\"") && $0.contains("/etc/veritas/\(config)") })
            #expect(lines.contains { $0 == "COPY config/\(config) /etc/veritas/\(config)" })
            #expect(FileManager.default.fileExists(atPath: Repository.url("config/\(config)").path))
            #expect(lines.contains { $0.hasPrefix("HEALTHCHECK") && $0.contains("\"veritas\", \"health\"") })
        }
        let runner = dockerfile.lineage(of: "runner")
        #expect(runner.contains { $0.contains("chromium") && $0.contains("fonts-") })
        #expect(!dockerfile.lineage(of: "writer").contains { $0.contains("chromium") }, "the writer image stays slim")
        let ignore = try Repository.text(".dockerignore").split(separator: "\n").map(String.init)
        for entry in [".build", "data", "runner-data", "Package.resolved", "keys"] { #expect(ignore.contains(entry), ".dockerignore keeps \(entry) out") }
    }

    @Test("health checks are real commands: the writer's `veritas health` and the runners' `veritas-runner --health` parse, and fail when there is nothing healthy")
    func healthChecksRun() async throws {
        let keys = try TemporaryFolder("compose-keys")
        defer { keys.remove() }
        let writerKeys = try CurveCertificate.write(try CurveKeyPair.generate(), name: "writer", in: keys.url.path)
        let client = try CurveCertificate.write(try CurveKeyPair.generate(), name: "healthcheck", in: keys.url.path)
        // Container paths → files here, so the command can run on this machine.
        let paths = ["/run/secrets/healthcheck.key_secret": client.secretFile, "/etc/veritas/keys/writer.key": writerKeys.publicFile]
        for file in ["docker/compose.yaml", "docker/compose.curve.yaml"] {
            let compose = try ComposeFile(file)
            for service in ["writer"] {
                var command = compose.healthcheck(of: service)
                #expect(command.prefix(3) == ["CMD", "veritas", "health"], "\(file): \(service)")
                command = Array(command.dropFirst(2)).map { paths[$0] ?? $0 }
                let writerIndex = try #require(command.firstIndex(of: "--writer"))
                let endpoint = command[writerIndex + 1]
                #expect(endpoint.hasSuffix(":\(Self.port(DefaultEndpoints.queriesBind))"), "\(endpoint) is the queries endpoint")
                #expect(endpoint.contains(service == "writer" ? "127.0.0.1" : "writer"))
                command[writerIndex + 1] = "ipc:///nonexistent/veritas-\(UUID().uuidString)"
                if let timeout = command.firstIndex(of: "--timeout") { command[timeout + 1] = "0.3" }
                let outcome = try await BuiltProducts.run("veritas", command)
                #expect(outcome.status == 3, "\(file) \(service): `veritas \(command.joined(separator: " "))` exited \(outcome.status): \(outcome.stderr)")
            }
        }
        // Runners check themselves, in their own data folder (compose sets VERITAS_RUNNER_DATA_DIR);
        // the CURVE overlay leaves that check as it is.
        let compose = try ComposeFile("docker/compose.yaml")
        let runnerCheck = compose.healthcheck(of: "runner")
        #expect(runnerCheck == ["CMD", "veritas-runner", "--health"])
        #expect(try ComposeFile("docker/compose.curve.yaml").healthcheck(of: "runner").isEmpty)
        let empty = try TemporaryFolder("compose-runner")
        defer { empty.remove() }
        let outcome = try await BuiltProducts.run(
            "veritas-runner", Array(runnerCheck.dropFirst(2)), environment: ["VERITAS_RUNNER_DATA_DIR": empty.url.path])
        #expect(outcome.status == 1, "a runner folder without a health report is unhealthy: \(outcome.stderr)")
        #expect(outcome.stderr.contains("no health.json"))
    }

    /// The port of `tcp://*:5555`.
    static func port(_ endpoint: String) -> Int { Int(endpoint.split(separator: ":").last ?? "") ?? -1 }

    /// `45s`, `1m30s`, `500ms` in seconds.
    static func seconds(_ text: String) throws -> Double {
        var total = 0.0
        var number = ""
        var unit = ""
        func flush() throws {
            guard let value = Double(number) else { throw DeploymentTestError("bad duration \(text)") }
            switch unit {
            case "ms": total += value / 1000
            case "s", "": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: throw DeploymentTestError("bad duration unit in \(text)")
            }
            number = ""
            unit = ""
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { try flush() }
                number.append(character)
            } else {
                unit.append(character)
            }
        }
        try flush()
        return total
    }
}
