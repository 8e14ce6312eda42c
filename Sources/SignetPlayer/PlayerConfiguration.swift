import SignetOutput

/// How a player runs: its folder (identity, trusted metadata, cache, control state), where its
/// frames go, and its timings.
public struct PlayerConfiguration: Sendable {
    public var folder: String
    public var outputs: [OutputAddress]
    /// The renderer's font (text on slides).
    public var fontPath: String
    /// A TUF refresh at least this often, pushed notices or not; commands are polled this often
    /// while the channel is down.
    public var pollInterval: Duration = .seconds(30)
    /// Heartbeats, and proofs of play sent (and the showing in progress saved), this often.
    public var heartbeatInterval: Duration = .seconds(10)
    /// How often a frame is rendered and sent.
    public var frameInterval: Duration = .seconds(1)
    /// A thumbnail of what the screen shows is sent when it has changed, at most this often, for
    /// the console's wall; nil sends one only when a screenshot command asks.
    public var thumbnailInterval: Duration? = .seconds(60)
    /// After this long without a verified update, the safe slide (S3).
    public var offlineGraceMilliseconds: Int64 = Playout.defaultOfflineGraceMilliseconds
    /// Reconnection waits double from the first to the last, each shortened by a random part
    /// (jitter), so that a fleet does not reconnect in step after a server restart.
    public var reconnectFirst: Duration = .milliseconds(500)
    public var reconnectLast: Duration = .seconds(60)

    /// Where releases come from, if not the server: a mirror or CDN holding a copy of the
    /// repository (`metadata/`, `targets/`). Nothing from it is trusted before it verifies.
    public var repository: String?

    /// Where the player sees its screen (a capture card, say), checked every `captureInterval`;
    /// nil checks only the player's own frames.
    public var capture: CaptureSource?
    public var captureInterval: Duration = .milliseconds(100)
    /// How long a frame takes from the outputs to the capture, at most.
    public var captureLatencyMilliseconds: Int64 = 500
    /// A capture without a new frame for this long is a capture fault.
    public var captureStale: Duration = .seconds(2)
    /// What to do when a frame or the capture is not the approved picture (S5).
    public var containment = Containment.Policy()

    /// For fault tests only: the player draws these slides with their colours inverted, as a
    /// player that is compromised or faulty would draw something other than the approved frame.
    public var faultSlides: Set<String> = []

    /// The most the verified cache may hold; unused files are removed first, and a release that
    /// would not fit beside the programme in use is refused.
    public var cacheQuotaBytes: Int64 = 2 << 30

    /// For fault tests only: when an update that would replace a programme in use reaches this
    /// stage, the player says so on standard error and waits, so that a test can kill it there.
    public var faultPause: ReleaseSync.Stage?

    public init(folder: String, outputs: [OutputAddress], fontPath: String) {
        self.folder = folder
        self.outputs = outputs
        self.fontPath = fontPath
    }

    var cacheFolder: String { "\(folder)/cache" }
    var metadataFolder: String { "\(folder)/metadata" }
    var controlPath: String { "\(folder)/control.json" }
    var playLogPath: String { "\(folder)/proof-of-play.json" }
}
