/// A multiaddr protocol known to peerd, with its code from the multicodec table.
///
/// The list covers what Waku and libp2p nodes announce (ip, dns, tcp/udp, quic, websockets, tls,
/// webtransport/webrtc, p2p, circuit relay, onion3); anything else is refused by name or code.
public enum MultiaddrProtocol: UInt64, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case ip4 = 0x04
    case tcp = 0x06
    case dccp = 0x21
    case ip6 = 0x29
    case ip6zone = 0x2a
    case dns = 0x35
    case dns4 = 0x36
    case dns6 = 0x37
    case dnsaddr = 0x38
    case sctp = 0x84
    case udp = 0x0111
    case webrtcDirect = 0x0118
    case webrtc = 0x0119
    case p2pCircuit = 0x0122
    case p2p = 0x01a5
    case onion3 = 0x01bd
    case tls = 0x01c0
    case sni = 0x01c1
    case noise = 0x01c6
    case quic = 0x01cc
    case quicV1 = 0x01cd
    case webtransport = 0x01d1
    case ws = 0x01dd
    case wss = 0x01de
    case http = 0x01e0

    /// What follows the protocol name in text, or the code in binary.
    enum ValueKind {
        /// No value (`/ws`).
        case none
        /// Four bytes, dotted decimal.
        case ip4
        /// Sixteen bytes, RFC 5952 text.
        case ip6
        /// A big-endian u16, decimal.
        case port
        /// Varint-length-prefixed UTF-8 without `/` (dns names, zone, sni).
        case text
        /// Varint-length-prefixed multihash, base58btc.
        case peerID
        /// 35-byte onion service key plus a u16 port; `<base32>:<port>`.
        case onion3
    }

    /// The multicodec code, as written in binary multiaddrs.
    public var code: UInt64 { rawValue }

    /// The protocol's name in text multiaddrs.
    public var name: String {
        switch self {
        case .ip4: "ip4"
        case .tcp: "tcp"
        case .dccp: "dccp"
        case .ip6: "ip6"
        case .ip6zone: "ip6zone"
        case .dns: "dns"
        case .dns4: "dns4"
        case .dns6: "dns6"
        case .dnsaddr: "dnsaddr"
        case .sctp: "sctp"
        case .udp: "udp"
        case .webrtcDirect: "webrtc-direct"
        case .webrtc: "webrtc"
        case .p2pCircuit: "p2p-circuit"
        case .p2p: "p2p"
        case .onion3: "onion3"
        case .tls: "tls"
        case .sni: "sni"
        case .noise: "noise"
        case .quic: "quic"
        case .quicV1: "quic-v1"
        case .webtransport: "webtransport"
        case .ws: "ws"
        case .wss: "wss"
        case .http: "http"
        }
    }

    public var description: String { name }

    var valueKind: ValueKind {
        switch self {
        case .ip4: .ip4
        case .ip6: .ip6
        case .tcp, .udp, .dccp, .sctp: .port
        case .dns, .dns4, .dns6, .dnsaddr, .ip6zone, .sni: .text
        case .p2p: .peerID
        case .onion3: .onion3
        case .webrtcDirect, .webrtc, .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
            .none
        }
    }

    private static let byName: [String: MultiaddrProtocol] = {
        var table = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
        table["ipfs"] = .p2p  // the legacy name of p2p, still found in old configs
        return table
    }()

    /// Looks a protocol up by its text name (`ipfs` is read as `p2p`).
    public init?(name: some StringProtocol) {
        guard let known = Self.byName[String(name)] else { return nil }
        self = known
    }
}
