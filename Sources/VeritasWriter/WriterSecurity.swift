import VeritasConfiguration
import ZeroMQ

/// The CURVE keys a writer serves with: its own key pair, and which public keys may connect to
/// which endpoint.
///
/// Runners and clients are separate ZAP domains, so a runner's key does not open the queries
/// endpoint and a client's key cannot feed events.
public struct WriterSecurity: Sendable {
    /// The ZAP domain of the runners endpoint.
    public static let runnersDomain = "veritas.runners"
    /// The ZAP domain of the queries and feed endpoints.
    public static let clientsDomain = "veritas.clients"

    public let keyPair: CurveKeyPair
    public let runnerKeys: Set<CurveKey>
    public let clientKeys: Set<CurveKey>

    public init(keyPair: CurveKeyPair, runnerKeys: Set<CurveKey>, clientKeys: Set<CurveKey>) {
        self.keyPair = keyPair
        self.runnerKeys = runnerKeys
        self.clientKeys = clientKeys
    }

    /// Reads the files `configuration` names; `nil` when CURVE is not configured.
    public static func load(_ configuration: WriterConfiguration) throws(ConfigurationError) -> WriterSecurity? {
        guard !configuration.curveSecretKeyFile.isEmpty else { return nil }
        do {
            return WriterSecurity(
                keyPair: try CurveCertificate.keyPair(contentsOf: configuration.curveSecretKeyFile),
                runnerKeys: try CurveCertificate.allowlist(at: configuration.curveRunnerKeys),
                clientKeys: try CurveCertificate.allowlist(at: configuration.curveClientKeys)
            )
        } catch {
            throw ConfigurationError("CURVE: \(error.description)")
        }
    }

    /// The allowlists by ZAP domain, for the ``ZAPAuthenticator``.
    var allowlists: [String: Set<CurveKey>] {
        [Self.runnersDomain: runnerKeys, Self.clientsDomain: clientKeys]
    }
}
