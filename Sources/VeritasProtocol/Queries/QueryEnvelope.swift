import Foundation

/// A query as it travels: the request plus the optional `request_id` the client uses to match
/// replies (useful with DEALER sockets that pipeline requests).
///
/// ```swift
/// let envelope = try QueryEnvelope.decode(frame)          // writer
/// let frame = QueryEnvelope(request: .health).encode()    // client
/// ```
public struct QueryEnvelope: Sendable, Equatable, Hashable {
    /// Echoed verbatim in the reply; at most ``ProtocolLimits/maxRequestIDLength`` printable characters.
    public var requestID: String?
    public var request: QueryRequest

    /// Pairs a request with an optional id.
    public init(requestID: String? = nil, request: QueryRequest) {
        self.requestID = requestID
        self.request = request
    }

    /// Decodes one query frame (the JSON frame after the ROUTER's identity and empty delimiter).
    ///
    /// Throws ``QueryRequestError``, whose ``QueryRequestError/reply`` is ready to send: the frame
    /// over ``ProtocolLimits/maxQueryFrameBytes`` gives `too_large`; malformed JSON, a non-object,
    /// a missing or non-string `op`, or an invalid field gives `bad_request`; an unknown `op` gives
    /// `unsupported_op`. Never traps, whatever the bytes.
    public static func decode(_ frame: Data) throws(QueryRequestError) -> QueryEnvelope {
        let fields: [String: JSONValue]
        do throws(ProtocolError) {
            fields = try FrameDecoding.object(frame, maxBytes: ProtocolLimits.maxQueryFrameBytes, what: "query frame")
        } catch {
            throw QueryRequestError(error: error)
        }
        let reader = FieldReader(fields)

        let requestID: String?
        do throws(ProtocolError) {
            requestID = try reader.optionalString("request_id", maxLength: ProtocolLimits.maxRequestIDLength)
        } catch {
            throw QueryRequestError(error: error)
        }

        guard let opValue = reader.value("op") else {
            throw QueryRequestError(error: .badRequest("field 'op' is required"), requestID: requestID)
        }
        guard case .string(let name) = opValue else {
            throw QueryRequestError(
                error: reader.typeError("op", expected: "a string", got: opValue), requestID: requestID)
        }
        guard let operation = QueryOperation(rawValue: name) else {
            let choices = QueryOperation.allCases.map(\.rawValue).joined(separator: ", ")
            throw QueryRequestError(
                error: ProtocolError(.unsupportedOp, "unsupported op \(TextRules.quote(name)); expected one of \(choices)"),
                requestID: requestID)
        }

        do throws(ProtocolError) {
            return QueryEnvelope(requestID: requestID, request: try QueryRequest(operation: operation, reading: reader))
        } catch {
            throw QueryRequestError(error: error, requestID: requestID, operation: operation)
        }
    }

    /// The request frame, e.g. `{"op":"status","audit_id":"...","request_id":"7"}`.
    public func encode() -> Data {
        var fields = request.fields
        fields["op"] = .string(request.operation.rawValue)
        if let requestID { fields["request_id"] = .string(requestID) }
        return FrameDecoding.encode(fields)
    }
}
