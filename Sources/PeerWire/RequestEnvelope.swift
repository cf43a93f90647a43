import NIOCore

/// The payload of a Request frame: which method, its serialized request, timeout and metadata.
public struct RequestEnvelope: Hashable, Sendable {
    public var service: String
    public var method: String
    /// The method's request message, serialized.
    public var payload: ByteBuffer
    /// Relative timeout in nanoseconds; 0 (or less) means none.
    public var timeoutNanos: Int64
    public var metadata: [KeyValue]

    public struct KeyValue: Hashable, Sendable {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(
        service: String, method: String, payload: ByteBuffer = ByteBuffer(), timeoutNanos: Int64 = 0,
        metadata: [KeyValue] = []
    ) {
        self.service = service
        self.method = method
        self.payload = payload
        self.timeoutNanos = timeoutNanos
        self.metadata = metadata
    }

    /// `/service/method`, the form used in logs and metrics.
    public var fullMethod: String { "/\(service)/\(method)" }
}
