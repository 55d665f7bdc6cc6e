import Testing
import VeritasConfiguration
import VeritasPostgres
import VeritasTestSupport
import VeritasWriter

@Suite("PostgreSQL settings")
struct PostgresSettingsTests {
    @Test("a postgres:// URL gives host, port, user, database and TLS mode; a password given apart wins and is never shown")
    func parsesURLs() throws {
        let full = try PostgresSettings(url: "postgres://app:s3cret@db.internal:6543/veritas?sslmode=require")
        #expect(full.host == "db.internal")
        #expect(full.port == 6543)
        #expect(full.username == "app")
        #expect(full.password == "s3cret")
        #expect(full.database == "veritas")
        #expect(full.tls == .require)
        #expect(!full.description.contains("s3cret"))
        #expect(full.description == "postgres://app@db.internal:6543/veritas?sslmode=require")

        let plain = try PostgresSettings(url: "postgresql://veritas@127.0.0.1/audits", password: "from-file")
        #expect(plain.port == 5432)
        #expect(plain.tls == .prefer, "libpq's default")
        #expect(plain.password == "from-file")
        let overridden = try PostgresSettings(url: "postgres://app:in-url@db/veritas", password: "from-file")
        #expect(overridden.password == "from-file")
        let scoped = try PostgresSettings(url: "postgres://app@db/veritas?schema=tenant_7")
        #expect(scoped.schema == "tenant_7")
        #expect(scoped.description.hasSuffix("&schema=tenant_7"))
        #expect(plain.schema == nil)
    }

    @Test("URLs that cannot work are refused with the reason, never quoting the password",
          arguments: [
              ("mysql://app:pw@db/veritas", "must look like"),
              ("postgres://app:pw@/veritas", "no host"),
              ("postgres://db/veritas", "no user"),
              ("postgres://app:pw@db", "no database"),
              ("postgres://app:pw@db/veritas?sslmode=verify-full", "sslmode"),
              ("postgres://app:pw@db/veritas?timeout=3", "unknown parameter"),
              ("postgres://app:pw@db/veritas?schema=Public;DROP", "schema must be"),
          ])
    func refusesBadURLs(url: String, reason: String) {
        let error = #expect(throws: PostgresSettings.InvalidURL.self) { try PostgresSettings(url: url) }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("pw") == false)
    }

    @Test("the writer's settings: backend postgres needs a URL; the URL's password and the password setting are hidden in the summary; the password file wins")
    func writerSettings() throws {
        #expect(throws: ConfigurationError.self) {
            try WriterConfiguration.load(file: nil, environment: ["VERITAS_DB_BACKEND": "postgres"])
        }
        // Memory only never opens a database, so no URL is needed then.
        let memoryOnly = try WriterConfiguration.load(file: nil, environment: ["VERITAS_DB_BACKEND": "postgres", "USE_DB_PERSISTENCE": "false"])
        #expect(!memoryOnly.persistenceEnabled)

        let configuration = try WriterConfiguration.load(file: nil, environment: [
            "VERITAS_DB_BACKEND": "postgres",
            "VERITAS_DATABASE_URL": "postgres://app:url-secret@db:5432/veritas",
            "VERITAS_DATABASE_PASSWORD": "env-secret",
        ])
        #expect(configuration.databaseBackend == "postgres")
        let summary = configuration.summary
        #expect(summary["persistence.postgres_url"] == "postgres://app:hidden@db:5432/veritas")
        #expect(summary["persistence.postgres_password"] == "(set, hidden)")
        #expect(!summary.values.contains { $0.contains("secret") })
        #expect(try configuration.postgresPasswordGiven() == "env-secret")

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("password")
        try "file-secret\n".write(to: file, atomically: true, encoding: .utf8)
        var withFile = configuration
        withFile.postgresPasswordFile = file.path
        #expect(try withFile.postgresPasswordGiven() == "file-secret", "the first line, without its newline")
        withFile.postgresPasswordFile = folder.url.appendingPathComponent("missing").path
        #expect(throws: ConfigurationError.self) { try withFile.postgresPasswordGiven() }
    }
}
