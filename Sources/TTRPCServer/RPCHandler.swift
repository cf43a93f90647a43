import NIOCore
import PeerWire

/// How a method runs. The kind decides the cost: `inline` runs on the connection's event loop
/// with no thread hop (about 9 us saved each way on this VM), the others run in a Task that the
/// deadline, a Cancel frame or the connection's end cancels.
public enum RPCHandler: Sendable {
    /// A unary method answered on the event loop. It must be quick and must not block: a lookup
    /// under a lock is fine, I/O is not.
    case inline(@Sendable (_ request: ByteBuffer, _ context: ServerContext) throws -> ByteBuffer)
    /// A unary method that may suspend.
    case unary(@Sendable (_ request: ByteBuffer, _ context: ServerContext) async throws -> ByteBuffer)
    /// One request, then any number of replies through the writer.
    case serverStreaming(
        @Sendable (_ request: ByteBuffer, _ context: ServerContext, _ writer: StreamWriter) async throws -> Void)
    /// Requests and replies in both directions. The first message is the Request frame's payload
    /// (when not empty), the rest come from Data frames.
    case bidirectionalStreaming(
        @Sendable (_ requests: RequestStream, _ context: ServerContext, _ writer: StreamWriter) async throws -> Void)

    /// The kind of method this variant serves: inline and unary handlers serve unary methods.
    public var kind: RPCKind {
        switch self {
        case .inline, .unary: .unary
        case .serverStreaming: .serverStreaming
        case .bidirectionalStreaming: .bidirectionalStreaming
        }
    }

    var isStreaming: Bool {
        switch self {
        case .inline, .unary: false
        case .serverStreaming, .bidirectionalStreaming: true
        }
    }
}

/// Told about every routed call when it ends: `/service/Method`, its status, how long it took.
/// Calls refused before routing (unknown methods, bad ids) are not reported: their names are
/// the client's text, not a closed set.
public typealias CallObserver = @Sendable (_ method: String, _ code: StatusCode, _ duration: Duration) -> Void
