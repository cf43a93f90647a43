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
    /// The registry and channel the call came in on, for ``connection``.
    let registry: ConnectionRegistry
    let channel: (any Channel)?
    /// When the call's timeout expires, if it has one.
    public var deadline: NIODeadline?
    /// The server's logger, before the call's metadata.
    let baseLogger: Logger

    /// The caller's connection: its id, and hooks run when it closes (protection tags are
    /// released there). Looked up on use: only Protect and Unprotect need it, so no other call
    /// pays for the registry's lock. A channel no longer registered gives a closed connection.
    public var connection: ClientConnection { registry.connection(of: channel) }

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
