import PeerIdentity

/// ENRs as text (`enr:` base64url) and as RLP: what parses prints and parses back to the same
/// record, and every Waku accessor works on it.
enum ENRTarget {
    static let samples = [
        "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8",
        "enr:-Iu4QJecqtDmg5JBwhEGCifJE-nfBUPvJpV1_Q7CtbJqX85pc8TV5xNIJKohJHnOtbQjycQV0OSzJeCsUB2a7hnfEP0BgmlkgnY0gmlwhMCoAG2Jc2VjcDI1NmsxoQJyDYLm_cOh10d-9TP34svDeh_AsrfmoDqrlpDeoNOmg4N0Y3CC6mCFd2FrdTIB",
        "enr:-KO4QJmGMGthIh_kCubluVD9jZLPDcqNgLgDYJxruIULs2elNcZxnIYqEZD-f9f-zsY2QMqEVosMxShxwTG8BkzkWQ8BgmlkgnY0gmlwhMCoAG2KbXVsdGlhZGRyc4wACgTAqABtBuph3QOJc2VjcDI1NmsxoQPI-z2SDgsKlci7pAYysALdIFv9ySJlRpynQbZdlJoU4YN0Y3CC6mCFd2FrdTIB",
    ]

    @Sendable static func runText(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        _ = try? RemotePeerInfo(parsing: text)
        guard let enr = try? ENR(text) else { return }
        check(enr)
        guard (try? ENR(enr.description)) == enr else { violated("an ENR's text does not parse back to it") }
    }

    @Sendable static func runRLP(_ input: [UInt8]) {
        if let item = try? RLP.decode(input) {
            guard (try? RLP.decode(RLP.encode(item))) == item else { violated("an RLP item does not survive encoding") }
        }
        guard let enr = try? ENR(rlp: input) else { return }
        check(enr)
    }

    private static func check(_ enr: ENR) {
        guard (try? ENR(rlp: enr.rlp)) == enr else { violated("an ENR's RLP does not parse back to it") }
        _ = enr.relayShards?.shards.count
        _ = enr.protocols
        _ = enr.dialAddresses.map(\.description)
        _ = enr.containsShard(clusterID: 1, shardID: 0)
        _ = enr.containsShard(topic: "/waku/2/rs/1/0")
        _ = enr.isClusterMismatched(1)
        _ = try? RemotePeerInfo(enr: enr)
    }

    @Sendable static func textSeeds() -> [[UInt8]] { samples.map { Array($0.utf8) } }

    @Sendable static func rlpSeeds() -> [[UInt8]] {
        samples.compactMap { try? ENR($0).rlp } + [RLP.encode(.list([.bytes([1, 2]), .list([]), .bytes([])]))]
    }
}

/// Multiaddrs as text and as bytes: what parses prints and encodes back to the same address.
enum MultiaddrTarget {
    static let samples = [
        "/ip4/10.0.0.1/tcp/60000/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
        "/ip6/::ffff:1.2.3.4/udp/443/quic-v1",
        "/dns4/node.example.org/tcp/443/wss",
        "/dns/example.com/tcp/443/tls/sni/example.com/ws",
        "/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
        "/ip4/1.2.3.4/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq/p2p-circuit",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
    ]

    @Sendable static func runText(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        _ = try? RemotePeerInfo(parsing: text)
        guard let address = try? Multiaddr(text) else { return }
        check(address)
    }

    @Sendable static func runBytes(_ input: [UInt8]) {
        guard let address = try? Multiaddr(bytes: input) else { return }
        check(address)
    }

    private static func check(_ address: Multiaddr) {
        guard (try? Multiaddr(address.description)) == address else {
            violated("a multiaddr's text does not parse back to it")
        }
        guard (try? Multiaddr(bytes: address.bytes)) == address else {
            violated("a multiaddr's bytes do not parse back to it")
        }
        _ = address.ipAddress
        _ = address.withoutPeerID.description
        if let peer = address.peerID { _ = try? address.withoutPeerID.appendingPeerID(peer) }
        _ = try? RemotePeerInfo(multiaddr: address)
    }

    @Sendable static func textSeeds() -> [[UInt8]] { samples.map { Array($0.utf8) } }
    @Sendable static func byteSeeds() -> [[UInt8]] { samples.compactMap { try? Multiaddr($0).bytes } }
}

/// Peer ids as text, as multihash bytes and from public keys: what parses prints back to itself.
/// Input: byte 0 picks the form (text, multihash, protobuf public key, secp256k1 key, ed25519 key).
enum PeerIDTarget {
    static let samples = [
        "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
        "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
    ]

    @Sendable static func run(_ input: [UInt8]) {
        guard let form = input.first else { return }
        let rest = Array(input.dropFirst())
        let id: PeerID?
        switch form % 5 {
        case 0: id = try? PeerID(String(decoding: rest, as: UTF8.self))
        case 1: id = try? PeerID(validatingMultihash: rest)
        case 2: id = LibP2PPublicKey(protobufEncoded: rest).map { PeerID(publicKey: $0) }
        case 3: id = try? PeerID(secp256k1PublicKey: rest)
        default: id = try? PeerID(ed25519PublicKey: rest)
        }
        guard let id else { return }
        guard (try? PeerID(id.description)) == id else { violated("a peer id's text does not parse back to it") }
        if let key = id.publicKey {
            guard LibP2PPublicKey(protobufEncoded: key.protobufEncoded) == key else {
                violated("a peer id's public key does not survive encoding")
            }
        }
    }

    @Sendable static func seeds() -> [[UInt8]] {
        let ids = samples.compactMap { try? PeerID($0) }
        return samples.map { [0] + Array($0.utf8) } + ids.map { [1] + $0.multihash }
            + ids.compactMap { $0.publicKey.map { [2] + $0.protobufEncoded } }
            + ids.compactMap { $0.publicKey?.data }.map { [3] + $0 }
    }
}
