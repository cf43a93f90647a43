/// Building components from their text or binary values, with the reason a value is refused.
extension MultiaddrComponent {
    /// Builds the component for `proto` from its text value; `nil` value for value-less protocols.
    /// Returns the reason when the value is not acceptable.
    static func make(_ proto: MultiaddrProtocol, text value: Substring?) -> Result<MultiaddrComponent, Reason> {
        switch proto.valueKind {
        case .none:
            return make(proto, bytes: [])
        case .ip4:
            guard let value, let address = IPv4Address(value) else {
                return .failure("not a dotted-decimal IPv4 address")
            }
            return .success(.ip4(address))
        case .ip6:
            guard let value, let address = IPv6Address(value) else { return .failure("not an IPv6 address") }
            return .success(.ip6(address))
        case .port:
            guard let value, let port = Port.parse(value) else { return .failure("not a port number 0-65535") }
            return make(proto, port: port)
        case .text:
            guard let value else { return .failure("missing value") }
            return make(proto, name: String(value))
        case .peerID:
            guard let value else { return .failure("missing value") }
            do {
                return .success(.p2p(try PeerID(String(value))))
            } catch {
                return .failure(Reason(error.reason))
            }
        case .onion3:
            guard let value, let address = Onion3Address(value) else {
                return .failure("not <56 base32 characters>:<port 1-65535>")
            }
            return .success(.onion3(address))
        }
    }

    /// Builds the component for `proto` from its binary value (without the length prefix).
    static func make(_ proto: MultiaddrProtocol, bytes: [UInt8]) -> Result<MultiaddrComponent, Reason> {
        switch proto {
        case .quic: return .success(.quic)
        case .quicV1: return .success(.quicV1)
        case .ws: return .success(.ws)
        case .wss: return .success(.wss)
        case .tls: return .success(.tls)
        case .noise: return .success(.noise)
        case .webtransport: return .success(.webtransport)
        case .webrtcDirect: return .success(.webrtcDirect)
        case .webrtc: return .success(.webrtc)
        case .http: return .success(.http)
        case .p2pCircuit: return .success(.p2pCircuit)
        case .ip4:
            guard let address = IPv4Address(bytes: bytes) else { return .failure("expected 4 bytes") }
            return .success(.ip4(address))
        case .ip6:
            guard let address = IPv6Address(bytes: bytes) else { return .failure("expected 16 bytes") }
            return .success(.ip6(address))
        case .tcp, .udp, .dccp, .sctp:
            guard bytes.count == 2 else { return .failure("expected 2 bytes") }
            return make(proto, port: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        case .dns, .dns4, .dns6, .dnsaddr, .ip6zone, .sni:
            guard let name = String(validating: bytes, as: UTF8.self) else { return .failure("not UTF-8") }
            return make(proto, name: name)
        case .p2p:
            do {
                return .success(.p2p(try PeerID(validatingMultihash: bytes)))
            } catch {
                return .failure(Reason(error.reason))
            }
        case .onion3:
            guard bytes.count == 37,
                let address = Onion3Address(
                    serviceID: Array(bytes[0..<35]), port: UInt16(bytes[35]) << 8 | UInt16(bytes[36]))
            else { return .failure("expected 35 bytes of service id and a non-zero port") }
            return .success(.onion3(address))
        }
    }

    private static func make(_ proto: MultiaddrProtocol, port: UInt16) -> Result<MultiaddrComponent, Reason> {
        switch proto {
        case .tcp: .success(.tcp(port))
        case .udp: .success(.udp(port))
        case .dccp: .success(.dccp(port))
        default: .success(.sctp(port))
        }
    }

    /// Names may hold neither `/` (it would end the component in text) nor spaces or control
    /// characters (no DNS name or interface name does, and they hide in logs).
    private static func make(_ proto: MultiaddrProtocol, name: String) -> Result<MultiaddrComponent, Reason> {
        guard !name.isEmpty else { return .failure("empty value") }
        guard name.utf8.count <= 255 else { return .failure("longer than 255 bytes") }
        guard !name.unicodeScalars.contains(where: { $0 == "/" || $0.value <= 0x20 || $0.value == 0x7f }) else {
            return .failure("contains '/', a space or a control character")
        }
        switch proto {
        case .dns: return .success(.dns(name))
        case .dns4: return .success(.dns4(name))
        case .dns6: return .success(.dns6(name))
        case .dnsaddr: return .success(.dnsaddr(name))
        case .ip6zone: return .success(.ip6zone(name))
        default: return .success(.sni(name))
        }
    }

    /// A short reason why a value was refused; ``Multiaddr/ParseError`` adds which part it was.
    struct Reason: Error, ExpressibleByStringLiteral {
        var text: String
        init(_ text: String) { self.text = text }
        init(stringLiteral value: String) { self.text = value }
    }
}
