import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

/// `veritas keygen` and the README's CURVE example: keys from the CLI, a writer that requires
/// them, `veritas health` with and without `--key`/`--writer-key`.
@Suite("veritas keygen and CURVE from the command line", .timeLimit(.minutes(1)))
struct KeygenCommandTests {
    @Test("keygen writes NAME.key and NAME.key_secret (0600), refuses to overwrite, and rejects bad names")
    func keygenWritesCertificates() async throws {
        let folder = try TemporaryFolder("veritas-keygen")
        defer { folder.remove() }
        let keys = folder.url.appendingPathComponent("keys").path
        let made = try await VeritasCLI.run(["keygen", "writer", "--dir", keys])
        #expect(made.status == 0, "\(made.stderr)")
        let pair = try CurveCertificate.keyPair(contentsOf: "\(keys)/writer.key_secret")
        #expect(made.stdout.contains("public key: \(pair.publicKey.z85)"))
        #expect(try CurveCertificate(contentsOf: "\(keys)/writer.key").publicKey == pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(keys)/writer.key_secret")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let again = try await VeritasCLI.run(["keygen", "writer", "--dir", keys])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(try CurveCertificate.keyPair(contentsOf: "\(keys)/writer.key_secret") == pair, "the first key is kept")

        let traversal = try await VeritasCLI.run(["keygen", "../escape", "--dir", keys])
        #expect(traversal.status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("escape.key").path))
    }

    @Test("the README example: keys from keygen, a writer requiring CURVE, health with and without keys")
    func readmeExample() async throws {
        let folder = try TemporaryFolder("veritas-curve-cli")
        defer { folder.remove() }
        let keys = folder.url.appendingPathComponent("keys").path
        for (name, dir) in [("writer", keys), ("runner-1", "\(keys)/runners"), ("alice", "\(keys)/clients")] {
            let made = try await VeritasCLI.run(["keygen", name, "--dir", dir])
            #expect(made.status == 0, "\(made.stderr)")
        }
        // Clients keep their secret file elsewhere; the allowlist folder holds public files only.
        try FileManager.default.moveItem(atPath: "\(keys)/clients/alice.key_secret", toPath: "\(keys)/alice.key_secret")
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("data")) {
            $0.curveSecretKeyFile = "\(keys)/writer.key_secret"
            $0.curveRunnerKeys = "\(keys)/runners"
            $0.curveClientKeys = "\(keys)/clients"
        }
        do {
            let endpoint = ["--writer", writer.endpoints.queries, "--timeout", "5"]
            let secure = try await VeritasCLI.run(
                ["health"] + endpoint, environment: [
                    "VERITAS_CURVE_SECRET_KEY_FILE": "\(keys)/alice.key_secret", "VERITAS_CURVE_WRITER_KEY_FILE": "\(keys)/writer.key",
                ])
            #expect(secure.status == 0, "\(secure.stderr)")
            #expect(secure.stdout.contains("CURVE"))

            let plaintext = try await VeritasCLI.run(["health"] + endpoint)
            #expect(plaintext.status == 3)
            #expect(plaintext.stderr.contains("refused"), "\(plaintext.stderr)")
            #expect(plaintext.stderr.contains("--key"))

            let half = try await VeritasCLI.run(["health", "--key", "\(keys)/alice.key_secret"] + endpoint)
            #expect(half.status == 2, "only one of --key/--writer-key is a usage error")
            #expect(half.stderr.contains("writer's public key"))
        } catch {
            try? await writer.stop()
            throw error
        }
        try await writer.stop()
    }
}
