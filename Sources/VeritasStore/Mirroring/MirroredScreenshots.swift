import Foundation
import VeritasProtocol

/// The screenshot store of a writer in a live migration (``MirroredStore``): every image is saved
/// by the primary's store (the record committed is the primary's) and then kept by the secondary's,
/// under its own name, so either database can serve every image after a switch. A failure of the
/// secondary is reported, never the save's failure.
public struct MirroredScreenshots: ScreenshotStore {
    public let primary: any ScreenshotStore
    public let secondary: any ScreenshotStore
    private let mirrorFailed: @Sendable (_ operation: String, _ audits: [AuditID], _ error: any Error) -> Void

    public init(
        primary: any ScreenshotStore, secondary: any ScreenshotStore,
        mirrorFailed: @escaping @Sendable (_ operation: String, _ audits: [AuditID], _ error: any Error) -> Void
    ) {
        self.primary = primary
        self.secondary = secondary
        self.mirrorFailed = mirrorFailed
    }

    public var maxBytes: Int { primary.maxBytes }

    public func save(auditID: AuditID, payload: ScreenshotEventPayload, bytes: Data, timestamp: Timestamp) async throws(ScreenshotFailure) -> ScreenshotInfo {
        let info = try await primary.save(auditID: auditID, payload: payload, bytes: bytes, timestamp: timestamp)
        await keepInSecondary(info, bytes: bytes)
        return info
    }

    /// A record names its image the way one of the two stores does; each refuses the other's names.
    public func read(_ info: ScreenshotInfo) async throws(ScreenshotFailure) -> Data {
        do {
            return try await primary.read(info)
        } catch {
            if let bytes = try? await secondary.read(info) { return bytes }
            throw error
        }
    }

    public func remove(_ info: ScreenshotInfo) async {
        await primary.remove(primary.located(info))
        await secondary.remove(secondary.located(info))
    }

    public func verifyWritable() async throws {
        try await primary.verifyWritable()
    }

    public func located(_ info: ScreenshotInfo) -> ScreenshotInfo {
        primary.located(info)
    }

    public func adopt(_ info: ScreenshotInfo, bytes: Data) async throws(ScreenshotFailure) -> ScreenshotInfo {
        let adopted = try await primary.adopt(info, bytes: bytes)
        await keepInSecondary(info, bytes: bytes)
        return adopted
    }

    public func removeLeftovers() -> Int {
        primary.removeLeftovers() + secondary.removeLeftovers()
    }

    private func keepInSecondary(_ info: ScreenshotInfo, bytes: Data) async {
        do {
            _ = try await secondary.adopt(info, bytes: bytes)
        } catch {
            mirrorFailed("screenshot image", [info.auditID], error)
        }
    }
}
