import Foundation
import Testing
@testable import ZeroMQ

/// Certificate files in the czmq/pyzmq format, and allowlists read from folders or files.
@Suite(.enabled(if: ZeroMQLibrary.has("curve"), "libzmq built without CURVE"))
struct CurveCertificateTests {
    private func temporaryFolder() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curve-cert-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func writesAPublicAndASecretFileThatReadBack() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try CurveKeyPair.generate()
        let files = try CurveCertificate.write(pair, name: "writer", in: folder)
        #expect(files.publicFile.hasSuffix("/writer.key"))
        #expect(files.secretFile.hasSuffix("/writer.key_secret"))

        let secret = try FileManager.default.attributesOfItem(atPath: files.secretFile)[.posixPermissions] as? Int
        #expect(secret == 0o600, "the secret file is readable by its owner only")
        let publicText = try String(contentsOfFile: files.publicFile, encoding: .utf8)
        #expect(!publicText.contains(pair.secretKey.z85), "the public file never holds the secret")

        #expect(try CurveCertificate.keyPair(contentsOf: files.secretFile) == pair)
        let publicOnly = try CurveCertificate(contentsOf: files.publicFile)
        #expect(publicOnly.publicKey == pair.publicKey)
        #expect(publicOnly.secretKey == nil)
        let error = #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.keyPair(contentsOf: files.publicFile) }
        #expect(error?.description.contains("no secret-key") == true)
    }

    @Test func neverOverwritesAnExistingKey() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try CurveKeyPair.generate()
        try CurveCertificate.write(first, name: "runner", in: folder)
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.write(try CurveKeyPair.generate(), name: "runner", in: folder) }
        #expect(try CurveCertificate.keyPair(contentsOf: "\(folder)/runner.key_secret") == first)
    }

    @Test func readsTheFormatPyzmqWrites() throws {
        // As written by pyzmq's zmq.auth.create_certificates (banner, metadata section, quotes).
        let pair = try CurveKeyPair.generate()
        let text = """
            #   ****  Generated on 2026-11-26 10:00:00 by pyzmq  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
            curve
                public-key = "\(pair.publicKey.z85)"
                secret-key = "\(pair.secretKey.z85)"
            """
        let certificate = try CurveCertificate(parsing: text)
        #expect(certificate.keyPair == pair)
    }

    @Test func rejectsMismatchedAndMalformedKeys() throws {
        let pair = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        let mismatched = "curve\n    public-key = \"\(other.publicKey.z85)\"\n    secret-key = \"\(pair.secretKey.z85)\"\n"
        let mismatch = #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate(parsing: mismatched) }
        #expect(mismatch?.description.contains("does not belong") == true)
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate(parsing: "curve\n    public-key = \"short\"\n") }
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate(parsing: "# nothing here\n") }
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate(contentsOf: "/nonexistent/\(UUID().uuidString).key") }
    }

    @Test func allowlistFolderAddsEveryPublicCertificate() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pairs = try (0..<3).map { _ in try CurveKeyPair.generate() }
        for (number, pair) in pairs.enumerated() { try CurveCertificate.write(pair, name: "runner-\(number)", in: folder) }
        // Secret files in the folder are not read as allowlist entries (only *.key).
        let keys = try CurveCertificate.allowlist(at: folder)
        #expect(keys == Set(pairs.map(\.publicKey)))
    }

    @Test func allowlistFileTakesOneKeyPerLineWithComments() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pairs = try (0..<2).map { _ in try CurveKeyPair.generate() }
        let path = "\(folder)/clients.txt"
        try "# analysts\n\(pairs[0].publicKey.z85)\n\n  \(pairs[1].publicKey.z85)  \n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CurveCertificate.allowlist(at: path) == Set(pairs.map(\.publicKey)))

        try "# nobody\n".write(toFile: path, atomically: true, encoding: .utf8)
        let empty = #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.allowlist(at: path) }
        #expect(empty?.description.contains("names no key") == true)

        try "\(pairs[0].publicKey.z85)\nnot-a-key\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.allowlist(at: path) }
        #expect(bad?.description.contains(":2:") == true, "the error names the line")

        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.allowlist(at: "\(folder)/missing") }
        let emptyFolder = "\(folder)/none"
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: true)
        #expect(throws: CurveCertificate.Failure.self) { try CurveCertificate.allowlist(at: emptyFolder) }
    }

    @Test func clientCredentialsNeedBothFilesOrNeither() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let serverFiles = try CurveCertificate.write(server, name: "writer", in: folder)
        let clientFiles = try CurveCertificate.write(client, name: "me", in: folder)

        #expect(try CurveClientCredentials.optional(secretKeyFile: "", serverKeyFile: "") == nil)
        let credentials = try #require(try CurveClientCredentials.optional(secretKeyFile: clientFiles.secretFile, serverKeyFile: serverFiles.publicFile))
        #expect(credentials.serverKey == server.publicKey)
        #expect(credentials.keyPair == client)
        #expect(throws: CurveCertificate.Failure.self) { try CurveClientCredentials.optional(secretKeyFile: clientFiles.secretFile, serverKeyFile: "") }
        #expect(throws: CurveCertificate.Failure.self) { try CurveClientCredentials.optional(secretKeyFile: "", serverKeyFile: serverFiles.publicFile) }
    }
}
