/// `VeritasRunner`: connects to a writer, takes jobs, audits sites and streams the events,
/// keeping every unacknowledged event in a durable outbox; see docs/PROTOCOL.md.
public enum VeritasRunnerModule {}
