import VeritasProtocol

/// Event ids as a time range: new ids are UUIDv7, whose first 48 bits are the millisecond they
/// were made, written first, so their text sorts by time. What lets pruning delete a range of the
/// primary key instead of scanning `processed_events`.
package enum EventIDRange {
    /// The text below every UUIDv7 made at or after `time` and above those made before it.
    package static func smallest(at time: Timestamp) -> String {
        let milliseconds = UInt64(max(0, time.millisecondsSinceEpoch)) & 0xFFFF_FFFF_FFFF
        let hex = String(milliseconds, radix: 16)
        let padded = String(repeating: "0", count: 12 - hex.count) + hex
        return "\(padded.prefix(8))-\(padded.suffix(4))-0000-0000-000000000000"
    }
}
