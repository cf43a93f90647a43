/// What peerd knows about a remote peer from one string: its id, where to dial it, and (from an
/// ENR) its record, protocols and shards. The equivalent of nwaku's `RemotePeerInfo`.
///
/// ```swift
/// let info = try RemotePeerInfo(parsing: "/dns4/node.example.org/tcp/30303/p2p/16Uiu2HAm...")
/// let fromENR = try RemotePeerInfo(parsing: "enr:-QESuED0...")
/// ```
public struct RemotePeerInfo: Hashable, Sendable {
    public var peerID: PeerID
    /// Where to dial the peer, without the `/p2p` suffix (``dialAddresses`` adds it).
    public var addrs: [Multiaddr]
    /// The record the info came from, if any.
    public var enr: ENR?
    /// Protocol ids known for the peer (from the ENR `waku2` bits).
    public var protocols: [String]
    /// Relay shards from the ENR (`rs`, else `rsv`).
    public var shards: RelayShards?

    public init(
        peerID: PeerID, addrs: [Multiaddr], enr: ENR? = nil, protocols: [String] = [], shards: RelayShards? = nil
    ) {
        self.peerID = peerID
        self.addrs = addrs
        self.enr = enr
        self.protocols = protocols
        self.shards = shards
    }

    /// The addresses with `/p2p/<peerID>` appended.
    public var dialAddresses: [Multiaddr] { addrs.map { $0.appending(.p2p(peerID)) } }

    /// Parses an operator-supplied peer: an `enr:` record, or a multiaddr ending in `/p2p/<id>`
    /// (nwaku `parsePeerInfo`).
    ///
    /// Refused: empty text, surrounding whitespace, malformed multiaddrs (unknown protocol, bad IP,
    /// ...), a missing `/p2p`, transports other than TCP with optional TLS and ws/wss (udp, quic,
    /// circuit relay), invalid ENRs, and ENRs without a TCP address.
    ///
    /// - Throws: ``ParseError`` naming the offending part.
    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(kind: .empty, part: "(empty)", reason: "no peer given") }
        if let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        {
            throw ParseError(kind: .whitespace, part: "'\(text)'", reason: "leading or trailing whitespace")
        }
        if text.hasPrefix("enr:") {
            let enr: ENR
            do {
                enr = try ENR(text)
            } catch {
                throw ParseError(
                    kind: .invalidENR, part: error.part, reason: error.description, enrErrorKind: error.kind)
            }
            try self.init(enr: enr)
            return
        }
        let address: Multiaddr
        do {
            address = try Multiaddr(text)
        } catch {
            throw ParseError(kind: .invalidMultiaddr, part: error.part, reason: error.reason)
        }
        try self.init(multiaddr: address)
    }

    /// A peer from a multiaddr that ends with `/p2p/<id>` and uses a TCP transport:
    /// `ip4|ip6|dns|dns4|dns6|dnsaddr`, `tcp` (optional after `dnsaddr`, which resolves to full
    /// addresses), then optionally `tls` (with `sni`) and `ws` or `wss`.
    public init(multiaddr: Multiaddr) throws(ParseError) {
        guard let peerID = multiaddr.peerID else {
            throw ParseError(kind: .missingPeerID, part: multiaddr.description, reason: "no trailing /p2p/<peer id>")
        }
        let wire = multiaddr.withoutPeerID
        try Self.checkTransport(wire)
        self.init(peerID: peerID, addrs: [wire])
    }

    /// A peer from a verified record: its peer id, ``ENR/dialAddresses``, protocols and shards.
    ///
    /// - Throws: ``ParseError`` of kind ``ParseError/Kind/noAddresses`` when the record has no
    ///   TCP address (no `ip`+`tcp`, `ip6`+`tcp6`, or `multiaddrs`).
    public init(enr: ENR) throws(ParseError) {
        let addrs = enr.dialAddresses.map(\.withoutPeerID)
        guard !addrs.isEmpty else {
            throw ParseError(
                kind: .noAddresses, part: enr.peerID.description, reason: "the ENR has no TCP address to dial")
        }
        self.init(peerID: enr.peerID, addrs: addrs, enr: enr, protocols: enr.protocols, shards: enr.relayShards)
    }

    private static func checkTransport(_ wire: Multiaddr) throws(ParseError) {
        var rest = wire.components[...]
        func refuse(_ component: MultiaddrComponent, _ reason: String) -> ParseError {
            ParseError(kind: .unsupportedTransport, part: component.description, reason: reason)
        }
        guard let host = rest.popFirst() else {
            throw ParseError(kind: .unsupportedTransport, part: "(no host)", reason: "nothing before /p2p")
        }
        switch host {
        case .ip4, .ip6, .dns, .dns4, .dns6: break
        case .dnsaddr: if rest.isEmpty { return }
        default: throw refuse(host, "expected ip4, ip6, dns, dns4, dns6 or dnsaddr first")
        }
        guard let transport = rest.popFirst() else {
            throw ParseError(
                kind: .unsupportedTransport, part: wire.description, reason: "no /tcp/<port> after the host")
        }
        guard case .tcp = transport else { throw refuse(transport, "only TCP transports are supported") }
        if case .tls = rest.first {
            rest.removeFirst()
            if case .sni = rest.first { rest.removeFirst() }
        }
        if let next = rest.first, next == .ws || next == .wss { rest.removeFirst() }
        if let extra = rest.first { throw refuse(extra, "unsupported after /tcp (expected tls, ws or wss, then /p2p)") }
    }
}

extension RemotePeerInfo {
    /// Why a string does not describe a dialable peer.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Hashable, Sendable {
            case empty
            case whitespace
            case invalidMultiaddr
            case missingPeerID
            case unsupportedTransport
            case invalidENR
            case noAddresses
        }

        public var kind: Kind
        /// The offending part of the input (past 80 bytes only its start and length).
        public var part: String
        public var reason: String
        /// For ``Kind/invalidENR``, the rule the record broke.
        public var enrErrorKind: ENRError.Kind?

        public init(kind: Kind, part: String, reason: String, enrErrorKind: ENRError.Kind? = nil) {
            self.kind = kind
            self.part = Excerpt.of(part)
            self.reason = reason
            self.enrErrorKind = enrErrorKind
        }

        public var description: String { "invalid peer (\(kind.rawValue)) at \(part): \(reason)" }
    }
}
