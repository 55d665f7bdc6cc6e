import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 32-byte CURVE (Curve25519) key, public or secret, printable as 40 characters of Z85.
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's 32 bytes.
    public let bytes: [UInt8]

    /// A key from its 32 raw bytes.
    public init(bytes: [UInt8]) throws(Z85.Error) {
        guard bytes.count == 32 else { throw Z85.Error(description: "a CURVE key is 32 bytes; got \(bytes.count)") }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text (surrounding whitespace ignored).
    public init(z85: String) throws(Z85.Error) {
        let trimmed = z85.trimmingWhitespace()
        guard trimmed.utf8.count == 40 else {
            throw Z85.Error(description: "a Z85 CURVE key is 40 characters; got \(trimmed.utf8.count)")
        }
        try self.init(bytes: Z85.decode(trimmed))
    }

    /// The key as 40 characters of Z85.
    public var z85: String {
        // 32 bytes is a multiple of 4, so encoding cannot fail.
        (try? Z85.encode(bytes)) ?? ""
    }

    /// The Z85 text. Careful: for a secret key this prints the secret.
    public var description: String { z85 }
}

extension CurveKey: SocketOptionValue {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: CurveKey) -> Int32 {
        [UInt8].setOption(option, of: socket, to: value.bytes)
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> CurveKey? {
        var buffer = [UInt8](repeating: 0, count: 32)
        var size = 32
        guard zmq_getsockopt(socket, option, &buffer, &size) == 0 else { return nil }
        return try? CurveKey(bytes: buffer)
    }
}

/// A CURVE long-term key pair.
public struct CurveKeyPair: Sendable, Hashable {
    /// The public half: give it to peers (servers list client keys; clients pin the server key).
    public let publicKey: CurveKey
    /// The secret half: keep it in a file only its owner can read.
    public let secretKey: CurveKey

    /// Generates a fresh key pair with libzmq (libsodium underneath).
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw ZMQError.last("zmq_curve_keypair (libzmq built without CURVE?)")
        }
        do {
            return CurveKeyPair(
                publicKey: try CurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)),
                secretKey: try CurveKey(z85: String(decoding: secretText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            )
        } catch {
            throw ZMQError(errno: EINVAL, operation: "zmq_curve_keypair returned an invalid key: \(error)")
        }
    }

    /// The pair whose secret is `secretKey`, its public key derived with libzmq.
    public init(secretKey: CurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = secretKey.z85.utf8CString
        let status = secretText.withUnsafeBufferPointer { zmq_curve_public(&publicText, $0.baseAddress) }
        guard status == 0 else { throw ZMQError.last("zmq_curve_public") }
        do {
            self.publicKey = try CurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        } catch {
            throw ZMQError(errno: EINVAL, operation: "zmq_curve_public returned an invalid key: \(error)")
        }
        self.secretKey = secretKey
    }

    /// A pair from known halves (no check that they belong together).
    public init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

extension Socket {
    /// Makes this socket a CURVE server: peers must handshake with CURVE and know `secretKey`'s
    /// public half; a ``ZAPAuthenticator`` for `zapDomain` decides which client keys get in.
    ///
    /// Call before ``bind(_:)``.
    public func configureCurveServer(secretKey: CurveKey, zapDomain: String) throws(ZMQError) {
        try set(.curveServer, true)
        try set(.curveSecretKey, secretKey)
        try set(.zapDomain, zapDomain)
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`.
    ///
    /// Call before ``connect(_:)``.
    public func configureCurveClient(serverKey: CurveKey, keyPair: CurveKeyPair) throws(ZMQError) {
        try set(.curveServerKey, serverKey)
        try set(.curvePublicKey, keyPair.publicKey)
        try set(.curveSecretKey, keyPair.secretKey)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
