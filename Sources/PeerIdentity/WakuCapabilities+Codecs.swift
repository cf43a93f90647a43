extension WakuCapabilities {
    /// Every capability, in bit order.
    public static let all: [WakuCapabilities] = [.relay, .store, .filter, .lightpush, .sync, .mix]

    /// The capability's lower-case name (`relay`, `store`, ...), as peerctl and the vectors print it.
    public var names: [String] {
        Self.all.filter { contains($0) }.compactMap { Self.info[$0.rawValue]?.name }
    }

    /// The libp2p protocol ids a peer announcing these bits serves, as nwaku's
    /// `getCapabilitiesCodecs` fills `RemotePeerInfo.protocols` (behaviour notes §4).
    public var codecs: [String] {
        Self.all.filter { contains($0) }.compactMap { Self.info[$0.rawValue]?.codec }
    }

    private static let info: [UInt8: (name: String, codec: String)] = [
        WakuCapabilities.relay.rawValue: ("relay", "/vac/waku/relay/2.0.0"),
        WakuCapabilities.store.rawValue: ("store", "/vac/waku/store-query/3.0.0"),
        WakuCapabilities.filter.rawValue: ("filter", "/vac/waku/filter-subscribe/2.0.0-beta1"),
        WakuCapabilities.lightpush.rawValue: ("lightpush", "/vac/waku/lightpush/3.0.0"),
        WakuCapabilities.sync.rawValue: ("sync", "/vac/waku/reconciliation/1.0.0"),
        // libp2p's MixProtocolID.
        WakuCapabilities.mix.rawValue: ("mix", "/mix/1.0.0"),
    ]
}
