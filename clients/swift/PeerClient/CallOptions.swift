/// Per-call settings, as grpc-swift-2's `CallOptions`.
public struct CallOptions: Sendable, Hashable {
    /// How long the call may take, from when it is sent. Sent to peerd as the envelope's
    /// `timeout_nano` (peerd answers DEADLINE_EXCEEDED), and timed by the client too, so a call
    /// ends in time even when peerd cannot answer. nil: no deadline.
    public var timeout: Duration?

    public init(timeout: Duration? = nil) {
        self.timeout = timeout
    }

    /// No deadline.
    public static let defaults = CallOptions()
}
