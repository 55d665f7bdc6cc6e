/// The software version of every Veritas executable: `--version`, `health.version`, a runner's
/// `hello.version` and its fetcher's User-Agent. One release, one number.
public enum VeritasVersion {
    public static let current = "0.1.0"
}
