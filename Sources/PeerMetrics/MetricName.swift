import Prometheus

/// The name and HELP text of every metric, in one table.
///
/// nwaku's (`waku/node/peer_manager/peer_manager.nim`) keep their exact names and HELP text,
/// including the trailing space of `waku_service_peers`; ours follow `peerd_<subsystem>_<name>_<unit>`.
struct Name: Sendable, Hashable {
    let name: String
    let help: String

    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    // nwaku
    static let dials = Name(name: "waku_peers_dials", help: "Number of peer dials")
    static let connsInitiated = Name(name: "waku_node_conns_initiated", help: "Number of connections initiated")
    static let connectedPeers = Name(
        name: "waku_connected_peers", help: "Number of physical connections per direction and protocol")
    static let connectedPeersPerShard = Name(
        name: "waku_connected_peers_per_shard", help: "Number of physical connections per shard")
    static let connectedPeersPerAgent = Name(
        name: "waku_connected_peers_per_agent", help: "Number of physical connections per agent")
    static let streamsPeers = Name(
        name: "waku_streams_peers", help: "Number of streams per direction and protocol")
    static let peerStoreSize = Name(
        name: "waku_peer_store_size", help: "Number of peers managed by the peer store")
    static let servicePeers = Name(name: "waku_service_peers", help: "Service peer protocol and multiaddress ")
    static let totalUniquePeers = Name(name: "waku_total_unique_peers", help: "total number of unique peers")
    static let peersErrors = Name(name: "waku_peers_errors", help: "Number of peer manager errors")

    // peerd: engine
    static let decisions = Name(
        name: "peerd_engine_decisions_total", help: "Decisions recorded by the peer-management engine, by reason")
    static let relayPeers = Name(
        name: "peerd_engine_relay_peers", help: "Connected relay peers counted toward the targets, by direction")
    static let relayTarget = Name(
        name: "peerd_engine_relay_target", help: "Relay peer targets derived from max connections, by direction")
    static let connected = Name(name: "peerd_engine_connected_peers", help: "Peers with at least one open connection")
    static let notConnected = Name(name: "peerd_engine_not_connected_peers", help: "Stored peers not connected")
    static let outsideBackoff = Name(
        name: "peerd_engine_outside_backoff_peers", help: "Not-connected peers that policy may dial now")
    static let dialsInFlight = Name(
        name: "peerd_engine_dials_in_flight", help: "Dial commands sent to the host and not yet completed")
    static let protectedPeers = Name(
        name: "peerd_engine_protected_peers", help: "Peers protected from eviction (requests in flight)")
    static let storeCapacity = Name(
        name: "peerd_engine_peer_store_capacity", help: "Peer store size above which pruning removes peers")
    static let online = Name(name: "peerd_engine_online", help: "1 if the engine considers the node online, else 0")
    static let connectionStatus = Name(
        name: "peerd_engine_connection_status",
        help: "The host's connection status (nwaku calculateConnectionState): 0 disconnected, 1 partially, 2 connected")
    // peerd: peer store file
    static let storeExpired = Name(
        name: "peerd_store_expired_peers_total",
        help: "Never-connected peers deleted from the peer store file for their age, at start and while running")
    // peerd: host session and RPC
    static let hostAttached = Name(name: "peerd_host_attached", help: "1 if a host node is attached, else 0")
    static let rpcCalls = Name(name: "peerd_rpc_calls_total", help: "Finished RPC calls by method and status code")
    static let rpcDuration = Name(
        name: "peerd_rpc_duration_seconds", help: "RPC latency from request to response, by method")
}
