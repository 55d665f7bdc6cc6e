/// The default ZeroMQ endpoints of a writer, fixed by the product brief so that clients written
/// elsewhere work without configuration. All of them are configurable.
public enum DefaultEndpoints {
    /// Where the writer binds its queries ROUTER (REQ-compatible).
    public static let queriesBind = "tcp://*:5555"
    /// Where the writer binds its runners ROUTER.
    public static let runnersBind = "tcp://*:5556"
    /// Where the writer binds its feed PUB.
    public static let feedBind = "tcp://*:5557"
    /// Where a local client connects its REQ (or DEALER) socket.
    public static let queriesConnect = "tcp://127.0.0.1:5555"
    /// Where a local runner connects its DEALER socket.
    public static let runnersConnect = "tcp://127.0.0.1:5556"
    /// Where a local subscriber connects its SUB socket.
    public static let feedConnect = "tcp://127.0.0.1:5557"
    /// Where `veritas-console` serves HTTP: loopback only, until an operator opens it up.
    public static let consoleListen = "127.0.0.1:8088"
}
