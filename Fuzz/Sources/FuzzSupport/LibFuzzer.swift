import CLibFuzzer
import Foundation

/// Hands control to libFuzzer with `callback` as the function under test, and exits with its status.
///
/// Each target also exports `LLVMFuzzerTestOneInput` itself, so the same code works when a build
/// system links libFuzzer's own `main` instead of the target's.
public func runLibFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, callback)
    exit(status)
}

/// The bytes libFuzzer passed, as a buffer (`nil` data only ever comes with size 0).
public func inputBuffer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    guard let data, size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: data, count: size)
}

/// A valid pointer for the empty input (libFuzzer never passes NULL, but the C type allows it).
nonisolated(unsafe) public let emptyInput: UnsafePointer<UInt8> = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
