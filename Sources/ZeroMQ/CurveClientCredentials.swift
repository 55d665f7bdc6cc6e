/// What a CURVE client needs: the server's public key, pinned, and its own key pair, whose
/// public half the server's allowlist must name.
public struct CurveClientCredentials: Sendable, Hashable {
    /// The server's public key; a server with any other key fails the handshake.
    public let serverKey: CurveKey
    /// This client's long-term key pair.
    public let keyPair: CurveKeyPair

    public init(serverKey: CurveKey, keyPair: CurveKeyPair) {
        self.serverKey = serverKey
        self.keyPair = keyPair
    }

    /// Loads the client's secret certificate (`.key_secret`) and the server's public certificate
    /// (`.key`, or the server's `.key_secret`, of which only the public key is used).
    public init(secretKeyFile: String, serverKeyFile: String) throws(CurveCertificate.Failure) {
        keyPair = try CurveCertificate.keyPair(contentsOf: secretKeyFile)
        serverKey = try CurveCertificate(contentsOf: serverKeyFile).publicKey
    }

    /// The credentials named by a pair of settings where empty means "not set": `nil` when both
    /// are empty, an error when only one is.
    public static func optional(secretKeyFile: String, serverKeyFile: String) throws(CurveCertificate.Failure) -> CurveClientCredentials? {
        switch (secretKeyFile.isEmpty, serverKeyFile.isEmpty) {
        case (true, true): return nil
        case (false, false): return try CurveClientCredentials(secretKeyFile: secretKeyFile, serverKeyFile: serverKeyFile)
        case (true, false): throw CurveCertificate.Failure("the writer's public key is set but not this peer's secret key file; CURVE needs both")
        case (false, true): throw CurveCertificate.Failure("this peer's secret key file is set but not the writer's public key; CURVE needs both")
        }
    }
}

extension Socket {
    /// Makes this socket a CURVE client with `credentials`. Call before ``connect(_:)``.
    public func configureCurveClient(_ credentials: CurveClientCredentials) throws(ZMQError) {
        try configureCurveClient(serverKey: credentials.serverKey, keyPair: credentials.keyPair)
    }
}
