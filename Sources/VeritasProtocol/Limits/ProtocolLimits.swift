/// Every size and range limit of the wire contract, in one place.
///
/// Writers, runners and clients all read their limits from here so the two ends of a socket can
/// never disagree. Byte limits are checked before any parsing (a frame over its limit is refused
/// with `too_large` without being looked at). Text lengths count Unicode scalars (code points),
/// exactly what Python's `len(str)` returns, so integrators in other languages can check them.
/// See docs/PROTOCOL.md, "Limits".
public enum ProtocolLimits {
    /// Largest query request frame (queries endpoint), in bytes.
    public static let maxQueryFrameBytes = 64 * 1024
    /// Largest first frame (the JSON header) of a runner message, in bytes.
    public static let maxRunnerHeaderBytes = 1024 * 1024
    /// Largest screenshot image (the second frame of `audit.screenshot`), in bytes.
    public static let maxScreenshotBytes = 16 * 1024 * 1024
    /// Deepest nesting of `[` and `{` in any JSON frame; protects the recursive decoder.
    public static let maxJSONDepth = 32
    /// Deepest nesting inside an opaque JSON value (`security_results`, `summary`), so that the
    /// value still fits under ``maxJSONDepth`` once wrapped in a reply, a list or the feed.
    public static let maxOpaqueJSONDepth = 16
    /// Longest audit URL, in Unicode scalars.
    public static let maxURLLength = 2048
    /// Longest narrative of a completed audit, in Unicode scalars.
    public static let maxNarrativeLength = 20_000
    /// Most findings in one `audit.completed` event.
    public static let maxFindingsPerEvent = 500
    /// Longest evidence text of one finding, in Unicode scalars.
    public static let maxEvidenceLength = 2_000
    /// Longest location of one finding, in Unicode scalars.
    public static let maxLocationLength = 512
    /// Largest coordinate or size of a finding's box on its screenshot, in image pixels.
    public static let maxBoxCoordinate = 100_000.0
    /// Longest screenshot label, in Unicode scalars.
    public static let maxLabelLength = 128
    /// Longest error message (in `audit.error` and in every error object), in Unicode scalars.
    public static let maxErrorMessageLength = 4_096
    /// Longest progress phase name, in Unicode scalars (`[a-z0-9_]`).
    public static let maxPhaseLength = 64
    /// Longest free-text field that has no limit of its own (progress message, release reason), in Unicode scalars.
    public static let maxShortTextLength = 512
    /// Longest version string a runner or writer reports, in Unicode scalars.
    public static let maxVersionLength = 64
    /// Largest capacity a runner may announce.
    public static let maxRunnerCapacity = 256
    /// Most audit ids in a runner's `active` list.
    public static let maxActiveAuditsPerRunner = 256
    /// Most entries in `signal_scores`.
    public static let maxSignalScores = 32
    /// Longest signal score name, in Unicode scalars (`[a-z0-9_]`).
    public static let maxSignalNameLength = 64
    /// Page size of `list` when the request gives none.
    public static let defaultListLimit = 50
    /// Largest page size of `list`.
    public static let maxListLimit = 500
    /// Largest `offset` of `list`; deeper paging is refused rather than scanning the table.
    public static let maxListOffset = 1_000_000
    /// Largest screenshot index within one audit.
    public static let maxScreenshotIndex = 999
    /// Most event ids in one `ack`.
    public static let maxAckBatch = 1024
    /// Longest `request_id`, in Unicode scalars.
    public static let maxRequestIDLength = 64
    /// Longest runner id (and writer id), in ASCII characters.
    public static let maxRunnerIDLength = 64
    /// Longest `file_path` of a screenshot, in Unicode scalars.
    public static let maxFilePathLength = 512
    /// Largest first frame of a query reply a client accepts, in bytes. A `list` page that would be
    /// larger is answered with `too_large`; ask for a smaller `limit`.
    public static let maxReplyFrameBytes = 64 * 1024 * 1024
    /// Largest JSON frame of a writer → runner message, in bytes (an `ack` of ``maxAckBatch`` ids is about 40 KiB).
    public static let maxWriterMessageBytes = 64 * 1024
    /// Largest JSON frame of a feed message, in bytes (it carries at most one event payload).
    public static let maxFeedFrameBytes = 1024 * 1024
    /// Largest heartbeat interval or timeout a writer may announce, in milliseconds (one hour).
    public static let maxHeartbeatMilliseconds = 3_600_000
    /// Largest `attempt` number of a job.
    public static let maxJobAttempt = 1_000
    /// Largest per-audit sequence number of an event.
    public static let maxEventSeq = Int(Int32.max)
}
