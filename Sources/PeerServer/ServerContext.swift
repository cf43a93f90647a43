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
    /// The caller's connection: its id, and hooks run when it closes (protection tags are
    /// released there).
    public var connection: ClientConnection
    /// When the call's timeout expires, if it has one.
    public var deadline: NIODeadline?
    /// The server's logger, before the call's metadata.
    let baseLogger: Logger

    /// A logger carrying `rpc.method` and `rpc.stream_id`.
    ///
    /// Built on use: setting metadata re-renders the handler's metadata, which cost more than a
    /// whole SelectPeer when every call paid for it.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "rpc.method"] = "/\(service)/\(method)"
        logger[metadataKey: "rpc.stream_id"] = "\(streamID)"
        return logger
    }
}
