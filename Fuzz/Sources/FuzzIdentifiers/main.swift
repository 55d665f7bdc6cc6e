// The text parsers: AuditID / EventID (CanonicalID.init), RunnerID.init, Timestamp.init and the
// audit URL rules (reached through a `submit` query, AuditURL being internal).
//
// Byte 0 picks the parser (b0 % 5); the rest, as UTF-8 (invalid sequences become U+FFFD), is the
// text. Mode 4 instead reads 8 bytes as milliseconds and checks Timestamp formatting.
// Invariants: ids are canonical (36 lowercase hex/hyphen bytes, the lowercased input, stable);
// runner ids keep their text and alphabet; timestamps are in range, format canonically, parse
// back to themselves and agree with Foundation's Gregorian calendar (years 1601...9999); URLs
// accepted by `submit` keep their bytes and obey §3.5.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = inputBuffer(data, size)
    guard let mode = input.first else { return 0 }
    let rest = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let text = String(decoding: rest, as: UTF8.self)
    switch mode % 5 {
    case 0: checkCanonicalIDs(text)
    case 1: checkRunnerID(text)
    case 2: checkTimestampText(text)
    case 3: checkURL(text)
    default: checkTimestampFormatting(rest)
    }
    return 0
}

func checkCanonicalIDs(_ text: String) {
    let audit = try? AuditID(text)
    let event = try? EventID(text)
    require((audit == nil) == (event == nil), "AuditID and EventID disagree on \(text.debugDescription)")
    do {
        _ = try AuditID(text)
    } catch {
        checkError(error, allowed: [.badRequest])
        require(error.message.contains("audit_id"), "error does not name audit_id: \(error.message)")
    }
    guard let audit, let event else { return }
    let raw = audit.rawValue
    let bytes = Array(raw.utf8)
    require(bytes.count == 36, "canonical id of \(bytes.count) bytes")
    for (position, byte) in bytes.enumerated() {
        if [8, 13, 18, 23].contains(position) {
            require(byte == UInt8(ascii: "-"), "no hyphen at \(position) in \(raw)")
        } else {
            require((0x30...0x39).contains(byte) || (0x61...0x66).contains(byte), "not lowercase hex at \(position) in \(raw)")
        }
    }
    require(sameBytes(raw, text.lowercased()), "\(raw) is not the lowercased input \(text.debugDescription)")
    require(event.rawValue == raw && audit.description == raw, "ids of one text differ")
    require((try? AuditID(raw)) == audit, "canonical text does not parse to the same id")
    if let embedded = audit.embeddedTimestamp {
        require(bytes[14] == UInt8(ascii: "7"), "embedded time for a non-v7 id")
        require(
            (Timestamp.minimumMilliseconds...Timestamp.maximumMilliseconds).contains(embedded.millisecondsSinceEpoch),
            "embedded time out of range")
    } else {
        require(bytes[14] != UInt8(ascii: "7"), "no embedded time for a v7 id")
    }
}

func checkRunnerID(_ text: String) {
    let runner: RunnerID
    do {
        runner = try RunnerID(text)
    } catch {
        checkError(error, allowed: [.badRequest])
        return
    }
    let bytes = Array(runner.rawValue.utf8)
    require(sameBytes(runner.rawValue, text), "runner id changed its text")
    require((1...ProtocolLimits.maxRunnerIDLength).contains(bytes.count), "runner id of \(bytes.count) bytes")
    require(bytes[0] != UInt8(ascii: "."), "runner id starts with '.'")
    let allowed = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8))
    require(bytes.allSatisfy(allowed.contains), "runner id outside [A-Za-z0-9._-]: \(text.debugDescription)")
}

let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
}()

func checkTimestampText(_ text: String) {
    let timestamp: Timestamp
    do {
        timestamp = try Timestamp(text)
    } catch {
        checkError(error, allowed: [.badRequest])
        return
    }
    let milliseconds = timestamp.millisecondsSinceEpoch
    require(
        (Timestamp.minimumMilliseconds...Timestamp.maximumMilliseconds).contains(milliseconds),
        "\(text.debugDescription) parsed out of range: \(milliseconds)")
    let formatted = timestamp.description
    require((try? Timestamp(formatted)) == timestamp, "\(formatted) does not parse back to \(milliseconds)")
    let bytes = Array(text.utf8)
    // Already canonical (uppercase T and Z, three fraction digits): formatting gives the same text.
    if bytes.count == 24, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z") {
        require(sameBytes(formatted, text), "canonical \(text.debugDescription) formats as \(formatted)")
    }

    // Oracle: Foundation's calendar from the fields at their fixed RFC 3339 positions.
    func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) } }
    let year = number(0..<4)
    guard (1601...9999).contains(year) else { return }  // Foundation is Julian before the Gregorian reform
    var index = 19
    var fraction = 0
    if bytes[index] == UInt8(ascii: ".") {
        index += 1
        var digits = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            if digits < 3 { fraction = fraction * 10 + Int(bytes[index] - 0x30) }
            digits += 1
            index += 1
        }
        for _ in digits..<max(digits, 3) { fraction *= 10 }
    }
    var offsetMinutes = 0
    if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
        offsetMinutes = (number(index + 1..<index + 3) * 60 + number(index + 4..<index + 6)) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
    }
    let components = DateComponents(
        year: year, month: number(5..<7), day: number(8..<10), hour: number(11..<13), minute: number(14..<16),
        second: number(17..<19))
    guard let date = utcCalendar.date(from: components) else { violated("Foundation rejects \(text.debugDescription)") }
    let expected = Int64(date.timeIntervalSince1970.rounded()) * 1000 + Int64(fraction) - Int64(offsetMinutes) * 60_000
    require(milliseconds == expected, "\(text.debugDescription) parsed as \(milliseconds), Foundation says \(expected)")
}

func checkTimestampFormatting(_ bytes: UnsafeRawBufferPointer) {
    var raw: UInt64 = 0
    for byte in bytes.prefix(8) { raw = raw << 8 | UInt64(byte) }
    let span = UInt64(Timestamp.maximumMilliseconds - Timestamp.minimumMilliseconds + 1)
    let milliseconds = Timestamp.minimumMilliseconds + Int64(raw % span)
    let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
    require(timestamp.millisecondsSinceEpoch == milliseconds, "an in-range value was clamped")
    let text = timestamp.description
    require(text.utf8.count == 24, "\(text) is not 24 bytes")
    require((try? Timestamp(text)) == timestamp, "\(text) does not parse back to \(milliseconds)")
    let seconds = Double(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient - (milliseconds % 1000 < 0 ? 1 : 0))
    let date = Date(timeIntervalSince1970: seconds)
    let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    guard let year = parts.year, year >= 1601 else { return }
    func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    let expected = "\(pad(year, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))T\(pad(parts.hour!, 2)):"
        + "\(pad(parts.minute!, 2)):\(pad(parts.second!, 2)).\(pad(Int((milliseconds % 1000 + 1000) % 1000), 3))Z"
    require(text == expected, "\(milliseconds) formats as \(text), Foundation says \(expected)")
}

func checkURL(_ text: String) {
    let frame = JSONValue.object(["op": "submit", "url": .string(text)]).encoded()
    guard frame.count <= ProtocolLimits.maxQueryFrameBytes else { return }
    do {
        let envelope = try QueryEnvelope.decode(frame)
        guard case .submit(let url, .standard, .simple) = envelope.request else { violated("submit decoded as \(envelope)") }
        require(sameBytes(url, text), "the URL was changed: \(text.debugDescription) -> \(url.debugDescription)")
        if let broken = violatesURLRules(url) { violated("accepted a URL breaking §3.5 (\(broken)): \(url.debugDescription)") }
    } catch {
        checkError(error.error, allowed: [.badRequest])
        require(error.error.message.contains("'url'"), "URL error does not name the field: \(error.error.message)")
    }
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
