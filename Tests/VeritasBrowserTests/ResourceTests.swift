import Foundation
import Testing
@testable import VeritasBrowser
#if canImport(Glibc)
import Glibc
#endif

@Suite("Process and descriptor hygiene")
struct ResourceTests {
    /// Uses the browser a little, closes it and returns its profile path.
    private static func useAndClose(_ browser: HeadlessBrowser) async throws -> String {
        #expect(FileManager.default.fileExists(atPath: browser.profilePath))
        #expect(browser.profilePath.utf8.count < 60)
        let page = try await browser.newPage()
        try await page.navigate(to: dataURL("<p>hello</p>"))
        #expect(try await page.html().contains("hello"))
        await browser.close()
        return browser.profilePath
    }

    @Test func launchingAndClosingLeavesNoChildrenDescriptorsOrProfiles() async throws {
        try await gated(exclusive: true) {
            // Warm-up: the first browser also makes libdispatch create its process-wide timer
            // descriptors (one per clock, created lazily on the first Task.sleep and kept for
            // the life of the process). They are not leaks, so measure after one full cycle.
            _ = try await Self.useAndClose(try await HeadlessBrowser.launch(testOptions()))
            let descriptorsBefore = openDescriptors()
            let childrenBefore = childProcessIDs()
            var profiles: [String] = []

            profiles.append(try await Self.useAndClose(try await HeadlessBrowser.launch(testOptions())))
            async let second = HeadlessBrowser.launch(testOptions())
            async let third = HeadlessBrowser.launch(testOptions())
            let pair = try await [second, third]
            #expect(pair[0].processID != pair[1].processID)
            #expect(childProcessIDs().isSuperset(of: [pair[0].processID, pair[1].processID]))
            async let closeSecond = Self.useAndClose(pair[0])
            async let closeThird = Self.useAndClose(pair[1])
            profiles += try await [closeSecond, closeThird]
            profiles.append(try await Self.useAndClose(try await HeadlessBrowser.launch(testOptions())))

            #expect(profiles.count == 4)
            #expect(profiles.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
            #expect(childProcessIDs() == childrenBefore)
            let descriptorsAfter = openDescriptors()
            #expect(descriptorsAfter.count == descriptorsBefore.count,
                    "before: \(descriptorsBefore.sorted { $0.key < $1.key }), after: \(descriptorsAfter.sorted { $0.key < $1.key })")
        }
    }

    @Test func deinitKillsAndReapsAForgottenBrowser() async throws {
        try await gated {
            var browser: HeadlessBrowser? = try await HeadlessBrowser.launch(testOptions())
            let pid = browser!.processID
            let profile = browser!.profilePath
            #expect(childProcessIDs().contains(pid))
            browser = nil  // No close(): the safety net in deinit must clean up.
            #expect(!childProcessIDs().contains(pid))
            #expect(!FileManager.default.fileExists(atPath: profile))
        }
    }
}
