import Foundation
import Testing
@testable import VeritasBrowser

@Suite("Building blocks (no Chromium)")
struct UnitTests {
    private func frames(_ framer: inout MessageFramer, _ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { framer.append($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func framerSplitsOnNulAcrossReads() {
        var framer = MessageFramer()
        #expect(frames(&framer, Array("{\"a\":".utf8)).isEmpty)
        #expect(framer.pendingByteCount == 5)
        #expect(frames(&framer, Array("1}\0{\"b\":2}\0{\"c\"".utf8)) == ["{\"a\":1}", "{\"b\":2}"])
        #expect(framer.pendingByteCount == 4)
        #expect(frames(&framer, Array(":3}\0".utf8)) == ["{\"c\":3}"])
        #expect(framer.pendingByteCount == 0)
        #expect(frames(&framer, [0, 0]).isEmpty)  // Empty messages are skipped.
    }

    @Test func framerHandlesLargeMessagesInSmallChunks() {
        var framer = MessageFramer()
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000_000)
        var received: [Data] = []
        var index = 0
        while index < big.count {
            let end = min(index + 4096, big.count)
            received += Array(big[index..<end]).withUnsafeBytes { framer.append($0) }
            index = end
        }
        #expect(received.isEmpty)
        received += [UInt8(0)].withUnsafeBytes { framer.append($0) }
        #expect(received.count == 1)
        #expect(received.first?.count == big.count)
        #expect(framer.pendingByteCount == 0)
    }

    @Test func jsonValueDistinguishesBooleansFromNumbers() throws {
        let value = try DevToolsValue(parsing: Data(#"{"t":true,"f":false,"one":1,"zero":0,"x":1.5,"n":null,"s":"é","a":[1,"2"]}"#.utf8))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["one"] == .number(1))
        #expect(value["zero"] == .number(0))
        #expect(value["x"]?.doubleValue == 1.5)
        #expect(value["n"] == .null)
        #expect(value["s"] == "é")
        #expect(value["a"]?[1] == "2")
        #expect(value["one"]?.intValue == 1)
        #expect(value["x"]?.intValue == nil)
    }

    @Test func jsonValueWritesIntegralNumbersAsIntegers() {
        let value: DevToolsValue = ["width": 1280, "scale": 0.5, "ok": true, "none": nil]
        #expect(value.description == #"{"none":null,"ok":true,"scale":0.5,"width":1280}"#)
    }

    @Test func pngHeaderValidation() throws {
        var png = Data(PNGHeader.signature)
        png += Data([0, 0, 0, 13]) + Data("IHDR".utf8) + Data([0, 0, 5, 0, 0, 0, 3, 32])
        #expect(PNGHeader(png) == PNGHeader(width: 1280, height: 800))
        #expect(PNGHeader(Data("GIF89a not a png at all.....".utf8)) == nil)
        #expect(PNGHeader(png.prefix(20)) == nil)
        #expect(throws: BrowserError.self) {
            try PNGHeader.decodeScreenshot(["data": .string(Data("hello".utf8).base64EncodedString())], method: "m")
        }
        #expect(throws: BrowserError.self) {
            try PNGHeader.decodeScreenshot(["data": "%%% not base64"], method: "m")
        }
        #expect(try PNGHeader.decodeScreenshot(["data": .string(png.base64EncodedString())], method: "m").header.height == 800)
    }

    @Test func profileBaseDirectoryIsShort() {
        #expect(ProfileDirectory.baseDirectory(temporaryDirectory: "/tmp/") == "/tmp")
        #expect(ProfileDirectory.baseDirectory(temporaryDirectory: "/var/tmp") == "/var/tmp")
        let long = "/" + String(repeating: "d", count: 60)
        #expect(ProfileDirectory.baseDirectory(temporaryDirectory: long) == "/tmp")
        #expect(ProfileDirectory.baseDirectory(temporaryDirectory: "relative") == "/tmp")
        let name = ProfileDirectory.randomName()
        #expect(name.count == 10)
        #expect(name.allSatisfy { $0.isNumber || ("a"..."z").contains($0) })
    }

    @Test func waitStatusDecoding() {
        #expect(POSIX.exitCode(fromWaitStatus: 0) == 0)
        #expect(POSIX.exitCode(fromWaitStatus: 3 << 8) == 3)
        #expect(POSIX.exitCode(fromWaitStatus: 9) == 137)  // SIGKILL
    }

    @Test func durationMilliseconds() {
        #expect(Duration.seconds(2).wholeMilliseconds == 2000)
        #expect(Duration.microseconds(1).wholeMilliseconds == 1)
        #expect(Duration.seconds(-1).wholeMilliseconds == 0)
    }

    @Test func optionsValidation() {
        #expect(BrowserOptions().validationProblem() == nil)
        #expect(BrowserOptions(viewportWidth: 0).validationProblem() != nil)
        #expect(BrowserOptions(fullPageMaxHeight: -1).validationProblem() != nil)
        #expect(BrowserOptions(commandTimeout: .zero).validationProblem() != nil)
    }

    @Test func remoteObjectConversion() {
        #expect(BrowserPage.value(of: ["type": "number", "value": 3]) == .number(3))
        #expect(BrowserPage.value(of: ["type": "undefined"]) == .null)
        #expect(BrowserPage.value(of: ["type": "number", "unserializableValue": "Infinity"]) == .number(.infinity))
        #expect(BrowserPage.value(of: ["type": "bigint", "unserializableValue": "12n"]) == "12n")
        #expect(BrowserPage.exceptionText(["text": "Uncaught", "exception": ["type": "string", "value": "boom"]]) == "boom")
    }
}
