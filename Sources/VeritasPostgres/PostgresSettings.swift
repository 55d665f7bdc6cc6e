import Foundation
import PostgresNIO

/// Where the PostgreSQL store connects, read from a `postgres://` URL
/// (`persistence.postgres_url`, `VERITAS_DATABASE_URL`).
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require][&schema=NAME]`; `postgresql://`
/// too. The password is better kept out of the URL: a password given apart (from a file or the
/// environment, see ``init(url:password:)``) wins over one in the URL. ``description`` never shows it,
/// so the settings can be logged.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted (libpq's `sslmode`, the three modes that need no certificates on disk).
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP (a database on loopback or a private network).
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection, the server's certificate checked against the system's roots.
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The schema the store's tables live in (created if missing); `nil`: the user's default
    /// `search_path` (usually `public`). Lets several deployments, or tests, share one database.
    public var schema: String?
    public var tls: TLSMode
    /// Connections the store's pool opens at most.
    public var maximumConnections: Int
    /// How long one store operation may take, waiting for a connection included, before it fails:
    /// an unreachable server must make the writer say `degraded` and its runners resend, not hang.
    public var operationTimeout: Duration

    /// Why a URL was refused; never quotes the password.
    public struct InvalidURL: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// - Parameters:
    ///   - url: the `postgres://` URL.
    ///   - password: a password from elsewhere (a file, the environment); wins over the URL's.
    ///   - maximumConnections: the pool's size.
    ///   - operationTimeout: how long one store operation may take.
    public init(url: String, password: String? = nil, maximumConnections: Int = 10, operationTimeout: Duration = .seconds(10)) throws(InvalidURL) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw InvalidURL(description: "the database URL must look like postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw InvalidURL(description: "the database URL names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let username = components.user, !username.isEmpty else {
            throw InvalidURL(description: "the database URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw InvalidURL(description: "the database URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        var tls = TLSMode.prefer
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema":
                guard let name = item.value, !name.isEmpty, name.count <= 63,
                      name.allSatisfy({ ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }) else {
                    throw InvalidURL(description: "schema must be 1 to 63 characters of a-z, 0-9 and _")
                }
                schema = name
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw InvalidURL(description: "sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw InvalidURL(description: "the database URL has an unknown parameter '\(item.name)' (sslmode and schema are read)")
            }
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = password ?? components.password
        self.database = database
        self.schema = schema
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.operationTimeout = operationTimeout
    }

    /// The URL without its password: `postgres://veritas@db:5432/veritas?sslmode=prefer`.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" + (schema.map { "&schema=\($0)" } ?? "")
    }

    /// The client's configuration: the pool's size, and every connection committing synchronously
    /// (`synchronous_commit=on`, whatever the server's default), since the writer acknowledges
    /// events once their commit returns.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.maximumConnections = max(2, maximumConnections)
        configuration.options.connectTimeout = min(.seconds(5), operationTimeout)
        // The server gives up on a statement when the store has: nothing runs on for nobody.
        let milliseconds = operationTimeout.components.seconds * 1000 + operationTimeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [
            ("synchronous_commit", "on"), ("application_name", "veritas-writer"), ("statement_timeout", String(milliseconds)),
            // A writer whose host vanished mid-transaction holds its row locks until its session
            // ends; the server ends it instead of waiting for TCP keepalive (hours).
            ("idle_in_transaction_session_timeout", String(max(milliseconds * 2, 1_000))),
        ] + (schema.map { [("search_path", $0)] } ?? [])
        return configuration
    }
}
