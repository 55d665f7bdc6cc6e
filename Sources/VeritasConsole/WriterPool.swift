import Foundation
import VeritasClient
import VeritasProtocol
import ZeroMQ

/// The writers the console reads, in order: a query goes to the first that answers.
///
/// Writers that share one database answer every query alike, so a writer that is down, slow or
/// degraded (`unavailable`) is skipped for the next. A `submit` moves on only when the writer
/// refused the connection, since after a timeout the audit may already exist there.
public final class WriterPool: Sendable {
    public let clients: [WriterClient]

    public init(endpoints: [String], timeout: Duration, curve: CurveClientCredentials?) throws(ClientError) {
        precondition(!endpoints.isEmpty, "at least one writer")
        var clients: [WriterClient] = []
        for endpoint in endpoints {
            clients.append(try WriterClient(endpoint: endpoint, timeout: timeout, curve: curve))
        }
        self.clients = clients
    }

    public func close() async {
        for client in clients { await client.close() }
    }

    /// `body`'s answer from the first writer that gives one; the last writer's error when none does.
    public func ask<T: Sendable>(
        idempotent: Bool = true, _ body: @Sendable (WriterClient) async throws(ClientError) -> T
    ) async throws(ClientError) -> T {
        var lastError: ClientError?
        for client in clients {
            do {
                return try await body(client)
            } catch {
                lastError = error
                guard Self.triesNext(after: error, idempotent: idempotent) else { throw error }
            }
        }
        throw lastError!
    }

    /// Whether another writer may be asked after `error`.
    static func triesNext(after error: ClientError, idempotent: Bool) -> Bool {
        switch error.code {
        case .unreachable: true
        case .timeout: idempotent
        case .server(let code): idempotent && code == .unavailable
        case .badReply: false
        }
    }

    /// Every writer's health, in order: a report or why there is none.
    public func healthOfAll() async -> [(endpoint: String, result: Result<HealthReport, ClientError>)] {
        var results: [(String, Result<HealthReport, ClientError>)] = []
        for client in clients {
            do {
                results.append((client.endpoint, .success(try await client.health())))
            } catch {
                results.append((client.endpoint, .failure(error)))
            }
        }
        return results
    }
}
