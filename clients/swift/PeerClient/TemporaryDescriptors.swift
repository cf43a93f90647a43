// TEMPORARY (swiftclient branch): the method descriptors the contract helper's generator emits
// into Sources/PeerWire/Generated/, written here by hand in the same shape so that PeerClient
// builds before the merge. The lead deletes this file at merge.

import PeerWire

extension PeerManagerV1 {
    /// The host node's side: it reports what its switch sees and carries out peerd's commands (dial,
    /// disconnect, request metadata). One host at a time.
    public enum Host {
        public static let serviceName = "waku.peermanager.v1.Host"
        /// The host's session as one bidirectional stream. The first event must be `hello` (with the
        /// snapshot of current connections); then events as they happen. peerd answers with commands;
        /// the host reports each command's result as a `command_result` event. A second Attach is
        /// FAILED_PRECONDITION unless its hello sets take_over. When the stream ends, peerd fails the
        /// pending commands and marks the host's connections gone.
        public static let attach = MethodDescriptor<PeerManagerV1.HostEvent, PeerManagerV1.HostCommand>(
            service: serviceName, method: "Attach", kind: .bidirectionalStreaming)
        /// Unary fallback for hosts without streams (stock ttrpc 1.1): a hello first (the response
        /// carries the session id), then batches of events with that id.
        public static let reportEvents = MethodDescriptor<
            PeerManagerV1.ReportEventsRequest, PeerManagerV1.ReportEventsResponse
        >(
            service: serviceName, method: "ReportEvents", kind: .unary)
        /// Unary fallback: long-polls for commands. A session with no ReportEvents or PollCommands for
        /// session_timeout_ms is detached.
        public static let pollCommands = MethodDescriptor<
            PeerManagerV1.PollCommandsRequest, PeerManagerV1.PollCommandsResponse
        >(
            service: serviceName, method: "PollCommands", kind: .unary)
        public static let methods: [AnyMethodDescriptor] = [
            attach.erased,
            reportEvents.erased,
            pollCommands.erased,
        ]
    }

    /// Queries and administration, for operators, scripts and the host alike. Bad input is
    /// INVALID_ARGUMENT naming the field, and changes nothing.
    public enum PeerManager {
        public static let serviceName = "waku.peermanager.v1.PeerManager"
        /// peerd's version, wire protocol, uptime, services and limits.
        public static let getInfo = MethodDescriptor<PeerManagerV1.GetInfoRequest, PeerManagerV1.GetInfoResponse>(
            service: serviceName, method: "GetInfo", kind: .unary)
        /// Adds a peer by multiaddr (with /p2p), ENR or structured record, with nwaku's merge rules;
        /// returns the record after the merge.
        public static let addPeer = MethodDescriptor<PeerManagerV1.AddPeerRequest, PeerManagerV1.AddPeerResponse>(
            service: serviceName, method: "AddPeer", kind: .unary)
        /// Removes a peer from the books; a connected peer stays until its last connection closes.
        public static let removePeer = MethodDescriptor<
            PeerManagerV1.RemovePeerRequest, PeerManagerV1.RemovePeerResponse
        >(
            service: serviceName, method: "RemovePeer", kind: .unary)
        /// One peer's record; NOT_FOUND when unknown.
        public static let getPeer = MethodDescriptor<PeerManagerV1.GetPeerRequest, PeerManagerV1.Peer>(
            service: serviceName, method: "GetPeer", kind: .unary)
        /// Peers matching the filters, sorted by peer id, in pages.
        public static let listPeers = MethodDescriptor<PeerManagerV1.ListPeersRequest, PeerManagerV1.ListPeersResponse>(
            service: serviceName, method: "ListPeers", kind: .unary)
        /// A peer for a protocol (and shard): relay at random; others from the service slot first.
        public static let selectPeer = MethodDescriptor<
            PeerManagerV1.SelectPeerRequest, PeerManagerV1.SelectPeerResponse
        >(
            service: serviceName, method: "SelectPeer", kind: .unary)
        /// Up to `count` distinct peers for a protocol (and shard), slot peers first.
        public static let selectPeers = MethodDescriptor<
            PeerManagerV1.SelectPeersRequest, PeerManagerV1.SelectPeersResponse
        >(
            service: serviceName, method: "SelectPeers", kind: .unary)
        /// Puts a peer in the service slot of a non-relay protocol.
        public static let addServicePeer = MethodDescriptor<
            PeerManagerV1.AddServicePeerRequest, PeerManagerV1.AddPeerResponse
        >(
            service: serviceName, method: "AddServicePeer", kind: .unary)
        /// Takes a peer out of a protocol's service slot.
        public static let removeServicePeer = MethodDescriptor<
            PeerManagerV1.RemoveServicePeerRequest, PeerManagerV1.RemovePeerResponse
        >(
            service: serviceName, method: "RemoveServicePeer", kind: .unary)
        /// Connected peers (optionally for one protocol) with their direction and streams.
        public static let connectedPeers = MethodDescriptor<
            PeerManagerV1.ConnectedPeersRequest, PeerManagerV1.ConnectedPeersResponse
        >(
            service: serviceName, method: "ConnectedPeers", kind: .unary)
        /// Dials peers through the host and waits for every outcome; FAILED_PRECONDITION without a host.
        public static let connect = MethodDescriptor<PeerManagerV1.ConnectRequest, PeerManagerV1.ConnectResponse>(
            service: serviceName, method: "Connect", kind: .unary)
        /// Disconnects one peer through the host.
        public static let disconnect = MethodDescriptor<
            PeerManagerV1.DisconnectRequest, PeerManagerV1.DisconnectResponse
        >(
            service: serviceName, method: "Disconnect", kind: .unary)
        /// nwaku's reconnectPeers: dials disconnected peers (of a protocol prefix) after the backoff.
        public static let reconnect = MethodDescriptor<PeerManagerV1.ReconnectRequest, PeerManagerV1.ReconnectResponse>(
            service: serviceName, method: "Reconnect", kind: .unary)
        /// Whether a peer is outside its failure backoff, and when it will be.
        public static let canBeConnected = MethodDescriptor<
            PeerManagerV1.CanBeConnectedRequest, PeerManagerV1.CanBeConnectedResponse
        >(
            service: serviceName, method: "CanBeConnected", kind: .unary)
        /// Protects a peer from pruning, eviction and policy disconnects; the tag is owned by the
        /// calling connection.
        public static let protect = MethodDescriptor<PeerManagerV1.ProtectRequest, PeerManagerV1.ProtectResponse>(
            service: serviceName, method: "Protect", kind: .unary)
        /// Releases a protection tag.
        public static let unprotect = MethodDescriptor<PeerManagerV1.ProtectRequest, PeerManagerV1.ProtectResponse>(
            service: serviceName, method: "Unprotect", kind: .unary)
        /// Store size, relay in/out against targets, service peers, backoff, host attached.
        public static let getStatistics = MethodDescriptor<
            PeerManagerV1.GetStatisticsRequest, PeerManagerV1.Statistics
        >(
            service: serviceName, method: "GetStatistics", kind: .unary)
        /// The effective settings.
        public static let getConfiguration = MethodDescriptor<
            PeerManagerV1.GetConfigurationRequest, PeerManagerV1.Configuration
        >(
            service: serviceName, method: "GetConfiguration", kind: .unary)
        /// Decision records and peer events as they happen, in the engine's order.
        public static let watch = MethodDescriptor<PeerManagerV1.WatchRequest, PeerManagerV1.WatchEvent>(
            service: serviceName, method: "Watch", kind: .serverStreaming)
        public static let methods: [AnyMethodDescriptor] = [
            getInfo.erased,
            addPeer.erased,
            removePeer.erased,
            getPeer.erased,
            listPeers.erased,
            selectPeer.erased,
            selectPeers.erased,
            addServicePeer.erased,
            removeServicePeer.erased,
            connectedPeers.erased,
            connect.erased,
            disconnect.erased,
            reconnect.erased,
            canBeConnected.erased,
            protect.erased,
            unprotect.erased,
            getStatistics.erased,
            getConfiguration.erased,
            watch.erased,
        ]
    }
}

extension GrpcHealthV1 {
    public enum Health {
        public static let serviceName = "grpc.health.v1.Health"
        /// The serving status of the whole server ("") or of one service.
        public static let check = MethodDescriptor<GrpcHealthV1.HealthCheckRequest, GrpcHealthV1.HealthCheckResponse>(
            service: serviceName, method: "Check", kind: .unary)
        /// The serving status now and at every change.
        public static let watch = MethodDescriptor<GrpcHealthV1.HealthCheckRequest, GrpcHealthV1.HealthCheckResponse>(
            service: serviceName, method: "Watch", kind: .serverStreaming)
        public static let methods: [AnyMethodDescriptor] = [
            check.erased,
            watch.erased,
        ]
    }
}
