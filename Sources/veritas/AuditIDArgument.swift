import ArgumentParser
import VeritasProtocol

/// An audit id given on the command line; an invalid one is a usage error.
struct AuditIDArgument: ExpressibleByArgument {
    let id: AuditID

    init?(argument: String) {
        guard let id = try? AuditID(argument) else { return nil }
        self.id = id
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
