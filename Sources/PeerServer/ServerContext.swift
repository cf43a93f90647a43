import Logging
import NIOCore
import PeerWire

/// What a handler knows about its call.
public struct ServerContext: Sendable {
    public var service: String
    public var method: String
    public var streamID: UInt32
    public var metadata: [RequestEnvelope.KeyValue]
    /// The caller's credentials from SO_PEERCRED.
    public var peer: PeerCredentials
    /// When the call's timeout expires, if it has one.
    public var deadline: NIODeadline?
    /// A logger carrying `rpc.method` and `rpc.stream_id`.
    public var logger: Logger
}
