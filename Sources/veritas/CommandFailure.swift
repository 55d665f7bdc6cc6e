/// A failure the command has already explained: ``VeritasCommand`` prints `message` to stderr
/// and exits with `status`.
struct CommandFailure: Error {
    var status: VeritasExitStatus
    var message: String

    init(_ status: VeritasExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
