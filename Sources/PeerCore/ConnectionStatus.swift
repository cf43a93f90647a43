/// How well the host is connected to the network, as nwaku's health monitor says it
/// (`calculateConnectionState`, nwaku PR #3689; the `health:connection-status` event of the
/// messaging API): a node with enough relay peers is Connected; with fewer, Partially; an edge
/// node without relay needs a lightpush, a filter and a store peer at least, and two of each to
/// be Connected.
public enum ConnectionStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case disconnected = 0
    case partiallyConnected = 1
    case connected = 2

    public var description: String {
        switch self {
        case .disconnected: "disconnected"
        case .partiallyConnected: "partially_connected"
        case .connected: "connected"
        }
    }

    /// nwaku's relay failover threshold when relay's `dLow` is unknown
    /// (`DefaultRelayFailoverThreshold`; nwaku's gossipsub `dLow` is 4 too).
    public static let defaultRelayThreshold = 4
    /// nwaku's `FailoverThreshold`: peers per edge protocol for a robust edge node.
    public static let edgeThreshold = 2

    /// The connected peers per kind that the status is computed from (nwaku's `strength` table,
    /// over the protocols that are ready: a protocol with no peer is not).
    public struct Strength: Sendable, Hashable {
        /// Connected relay peers (nwaku: the relay's connected pubsub peers).
        public var relay: Int
        /// Connected peers per edge protocol (nwaku: the client protocols' service peers; the
        /// largest count over a protocol's versions).
        public var lightpush: Int
        public var filter: Int
        public var store: Int

        public init(relay: Int = 0, lightpush: Int = 0, filter: Int = 0, store: Int = 0) {
            self.relay = relay
            self.lightpush = lightpush
            self.filter = filter
            self.store = store
        }
    }

    /// nwaku's rule: relay decides when there is any relay peer (the store is fed by relay, so
    /// nothing else is asked); without relay the node is judged as an edge node.
    public static func of(
        _ strength: Strength, relayThreshold: Int = defaultRelayThreshold, edgeThreshold: Int = edgeThreshold
    ) -> ConnectionStatus {
        if strength.relay >= relayThreshold { return .connected }
        if strength.relay > 0 { return .partiallyConnected }
        let edge = [strength.lightpush, strength.filter, strength.store]
        guard edge.allSatisfy({ $0 > 0 }) else { return .disconnected }
        return edge.allSatisfy { $0 >= edgeThreshold } ? .connected : .partiallyConnected
    }
}
