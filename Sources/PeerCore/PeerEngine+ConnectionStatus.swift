import PeerIdentity

/// The host's connection status from the books: connected peers per kind, then nwaku's rule
/// (``ConnectionStatus/of(_:relayThreshold:edgeThreshold:)``).
extension PeerEngine {
    /// The codecs of each edge protocol, current and legacy (nwaku counts each and takes the
    /// largest).
    static let lightpushCodecs = [WakuCodec.lightpush, "/vac/waku/lightpush/2.0.0-beta1"]
    static let filterCodecs = [WakuCodec.filterSubscribe]
    static let storeCodecs = [WakuCodec.store, "/vac/waku/store/2.0.0-beta4"]

    /// Connected peers per kind. Relay is two counts the store keeps (connected peers known to
    /// speak relay, either direction); the edge protocols are counted only when there is no relay
    /// peer, because only then do they decide, so the usual call costs nothing.
    public var connectionStrength: ConnectionStatus.Strength {
        let relay = store.inboundRelaySet.count + store.outboundRelaySet.count
        guard relay == 0 else { return ConnectionStatus.Strength(relay: relay) }
        return ConnectionStatus.Strength(
            relay: 0, lightpush: store.connectedCount(supporting: Self.lightpushCodecs),
            filter: store.connectedCount(supporting: Self.filterCodecs),
            store: store.connectedCount(supporting: Self.storeCodecs))
    }

    /// The host's connection status now (nwaku `calculateConnectionState`). Disconnected while
    /// no host is attached: nobody is connected then.
    public var connectionStatus: ConnectionStatus {
        ConnectionStatus.of(connectionStrength)
    }
}

extension PeerStore {
    /// The largest number of connected peers listing one of `protocolIDs` exactly.
    func connectedCount(supporting protocolIDs: [String]) -> Int {
        var largest = 0
        for name in protocolIDs {
            guard let id = protocolNames.id(of: name) else { continue }
            let listing = byProtocol[Int(id)]
            // Walk the smaller of the two sets.
            let count =
                listing.count < connectedSet.count
                ? listing.elements.count { connectedSet.contains($0) }
                : connectedSet.elements.count { listing.contains($0) }
            largest = max(largest, count)
        }
        return largest
    }
}
