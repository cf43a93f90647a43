/// One `/protocol/value` step of a ``Multiaddr``, with its value already parsed.
public enum MultiaddrComponent: Hashable, Sendable, CustomStringConvertible {
    case ip4(IPv4Address)
    case ip6(IPv6Address)
    case ip6zone(String)
    case dns(String)
    case dns4(String)
    case dns6(String)
    case dnsaddr(String)
    case tcp(UInt16)
    case udp(UInt16)
    case dccp(UInt16)
    case sctp(UInt16)
    case quic
    case quicV1
    case ws
    case wss
    case tls
    case sni(String)
    case noise
    case webtransport
    case webrtcDirect
    case webrtc
    case http
    case p2p(PeerID)
    case p2pCircuit
    case onion3(Onion3Address)

    /// The protocol of this component.
    public var `protocol`: MultiaddrProtocol {
        switch self {
        case .ip4: .ip4
        case .ip6: .ip6
        case .ip6zone: .ip6zone
        case .dns: .dns
        case .dns4: .dns4
        case .dns6: .dns6
        case .dnsaddr: .dnsaddr
        case .tcp: .tcp
        case .udp: .udp
        case .dccp: .dccp
        case .sctp: .sctp
        case .quic: .quic
        case .quicV1: .quicV1
        case .ws: .ws
        case .wss: .wss
        case .tls: .tls
        case .sni: .sni
        case .noise: .noise
        case .webtransport: .webtransport
        case .webrtcDirect: .webrtcDirect
        case .webrtc: .webrtc
        case .http: .http
        case .p2p: .p2p
        case .p2pCircuit: .p2pCircuit
        case .onion3: .onion3
        }
    }

    /// The value as multiaddr text (`1.2.3.4`, `443`, `16Uiu2...`); nil for protocols without one.
    public var valueText: String? {
        switch self {
        case .ip4(let address): address.description
        case .ip6(let address): address.description
        case .ip6zone(let text), .dns(let text), .dns4(let text), .dns6(let text), .dnsaddr(let text), .sni(let text):
            text
        case .tcp(let port), .udp(let port), .dccp(let port), .sctp(let port): String(port)
        case .p2p(let id): id.description
        case .onion3(let address): address.description
        case .quic, .quicV1, .ws, .wss, .tls, .noise, .webtransport, .webrtcDirect, .webrtc, .http, .p2pCircuit: nil
        }
    }

    /// `/name` or `/name/value`.
    public var description: String {
        if let value = valueText { "/\(self.protocol.name)/\(value)" } else { "/\(self.protocol.name)" }
    }

    /// The value's binary form, without the protocol code (length prefix included for variable sizes).
    var valueBytes: [UInt8] {
        switch self {
        case .ip4(let address): return address.bytes
        case .ip6(let address): return address.bytes
        case .ip6zone(let text), .dns(let text), .dns4(let text), .dns6(let text), .dnsaddr(let text), .sni(let text):
            return Varint.encode(UInt64(text.utf8.count)) + Array(text.utf8)
        case .tcp(let port), .udp(let port), .dccp(let port), .sctp(let port):
            return [UInt8(port >> 8), UInt8(port & 0xff)]
        case .p2p(let id): return Varint.encode(UInt64(id.multihash.count)) + id.multihash
        case .onion3(let address): return address.serviceID + [UInt8(address.port >> 8), UInt8(address.port & 0xff)]
        case .quic, .quicV1, .ws, .wss, .tls, .noise, .webtransport, .webrtcDirect, .webrtc, .http, .p2pCircuit:
            return []
        }
    }
}
