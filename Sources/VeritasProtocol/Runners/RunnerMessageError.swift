/// Why a runner message could not be decoded, plus the `event_id` when the header was readable
/// that far.
///
/// The distinction matters to the runner: an event that can never be stored must be answered with
/// `reject` (so the runner drops it from its outbox instead of resending it forever), which needs
/// the event id; anything else is answered with `error`. ``reply`` picks the right one.
public struct RunnerMessageError: Error, Sendable, Equatable {
    /// The failure to report.
    public var error: ProtocolError
    /// The event's id, when the message was an event whose `event_id` was valid.
    public var eventID: EventID?

    /// Wraps a failure with the event id, if known.
    public init(error: ProtocolError, eventID: EventID? = nil) {
        self.error = error
        self.eventID = eventID
    }

    /// `reject` when the event id is known, `error` otherwise.
    public var reply: WriterMessage {
        if let eventID { return .reject(eventID: eventID, error: error) }
        return .error(error)
    }
}
