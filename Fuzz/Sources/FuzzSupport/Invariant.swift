import Foundation
import VeritasProtocol

/// Stops the process (so libFuzzer records the input) when a promise of the code under test is broken.
///
/// A decoder that *throws* on bad input is doing its job; a decoder that accepts input and then
/// breaks one of its own documented guarantees is a bug, and this turns it into a crash.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError("invariant violated: \(message())", file: file, line: line)
    }
}

/// Fails with `message` (an invariant that cannot even be evaluated, such as a re-decode that throws).
public func violated(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("invariant violated: \(message)", file: file, line: line)
}

/// What every ``ProtocolError`` promises: a listed code and a non-empty message of at most
/// ``ProtocolLimits/maxErrorMessageLength`` scalars without control characters other than tab,
/// LF and CR (it must fit the `error.message` field of a reply).
public func checkError(_ error: ProtocolError, allowed codes: Set<ErrorCode>, file: StaticString = #fileID, line: UInt = #line) {
    require(codes.contains(error.code), "unexpected error code \(error.code.rawValue): \(error.message)", file: file, line: line)
    let scalars = error.message.unicodeScalars
    require(!scalars.isEmpty, "empty error message", file: file, line: line)
    require(
        scalars.count <= ProtocolLimits.maxErrorMessageLength,
        "error message of \(scalars.count) scalars", file: file, line: line)
}

/// Byte-exact string equality (Swift's `==` on `String` is canonical equivalence).
public func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.elementsEqual(rhs.utf8)
}

/// Unicode scalar count, as the protocol counts text lengths.
public func scalarCount(_ text: String) -> Int {
    text.unicodeScalars.count
}

/// `true` when `text` has no control character (Cc), optionally allowing tab, LF and CR.
public func hasNoControls(_ text: String, multiline: Bool = false) -> Bool {
    text.unicodeScalars.allSatisfy { scalar in
        let value = scalar.value
        if value < 0x20 { return multiline && (value == 0x09 || value == 0x0A || value == 0x0D) }
        return !(0x7F...0x9F).contains(value)
    }
}

/// `true` for 1...`maxLength` characters of `[a-z0-9_]`.
public func isSnakeIdentifier(_ text: String, maxLength: Int) -> Bool {
    let utf8 = text.utf8
    return !utf8.isEmpty && utf8.count <= maxLength
        && utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
}

/// Hex of the first bytes of `data`, for invariant messages.
public func hexPrefix(_ data: Data, limit: Int = 64) -> String {
    data.prefix(limit).map { String(format: "%02x", $0) }.joined() + (data.count > limit ? "…" : "")
}

/// Bug ids listed (comma-separated) in `VERITAS_FUZZ_TOLERATE`: invariants tagged with one of them
/// are not checked, so that fuzzing can look past a reported bug while its fix is pending.
/// Never set in CI; see Fuzz/Regressions/README.md for the ids.
public func tolerated(_ bugID: String) -> Bool {
    toleratedBugs.contains(bugID)
}

private let toleratedBugs: Set<String> = Set(
    (ProcessInfo.processInfo.environment["VERITAS_FUZZ_TOLERATE"] ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
    })
