import ArgumentParser
import Foundation
import ZeroMQ

/// `veritas keygen`: writes a CURVE key pair as certificate files (czmq/pyzmq format).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair: NAME.key (public) and NAME.key_secret (secret, mode 0600).",
        discussion: """
            Give the writer its .key_secret (security.curve_secret_key_file) and put the .key files of \
            runners and clients in its allowlist folders (security.runner_keys, security.client_keys). \
            Runners and clients get their own .key_secret and the writer's .key. The files are the \
            certificates pyzmq's zmq.auth.load_certificate reads. Existing files are never overwritten.
            """
    )

    @Argument(help: "Base name of the files, e.g. writer, runner-1, alice.")
    var name: String

    @Option(name: .customLong("dir"), help: ArgumentHelp("Folder to write into (created if missing).", valueName: "folder"))
    var folder: String = "."

    func validate() throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw ValidationError("NAME must be 1-64 letters, digits, '-', '_' or '.', not starting with '.'; got '\(name)'")
        }
    }

    func run() throws {
        do {
            let pair = try CurveKeyPair.generate()
            let files = try CurveCertificate.write(pair, name: name, in: folder)
            Console.line("public key: \(pair.publicKey.z85)")
            Console.line("wrote \(files.publicFile) (public: share it)")
            Console.line("wrote \(files.secretFile) (secret: keep it on this host only)")
        } catch let failure as CurveCertificate.Failure {
            throw CommandFailure(.failure, failure.description)
        }
    }
}
