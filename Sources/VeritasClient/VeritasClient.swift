/// `VeritasClient`: talks to a writer's queries endpoint (and its feed) for the `veritas`
/// command-line tool and any Swift program; see docs/PROTOCOL.md for the contract it speaks.
public enum VeritasClientModule {}
