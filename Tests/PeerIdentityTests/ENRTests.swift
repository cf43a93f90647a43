import Testing

@testable import PeerIdentity

@Suite("ENR")
struct ENRTests {
    @Test("Decodes the EIP-778 example record")
    func eip778Example() throws {
        let enr = try ENR(Fixtures.eip778Record)
        #expect(enr.seq == 1)
        #expect(enr.id == "v4")
        #expect(enr.ip?.description == "127.0.0.1")
        #expect(enr.udp == 30303)
        #expect(enr.tcp == nil)
        #expect(Hex.encode(enr.nodeID) == "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7")
        #expect(enr.peerID.description == Fixtures.eip778PeerID)
        #expect(enr.description == Fixtures.eip778Record)
        #expect(try ENR(rlp: enr.rlp) == enr)
        #expect(enr.entries.map(\.key) == ["id", "ip", "secp256k1", "udp"])
    }

    @Test("Signs and re-reads a record with every field")
    func signRoundTrip() throws {
        let shards = RelayShards(clusterID: 1, shardIDs: [0, 5])
        let enr = try ENR.sign(
            seq: 3,
            entries: [
                .udp(9000), .tcp(60000), .ip(try #require(IPv4Address("127.0.0.1"))),
                .ip6(try #require(IPv6Address("2001:db8::1"))), .tcp6(60001), .udp6(9001),
                .waku2([.relay, .store, .filter, .lightpush]), .relayShards(shards),
                .multiaddrs([
                    try Multiaddr("/ip4/127.0.0.1/tcp/60001/ws"), try Multiaddr("/dns4/example.org/tcp/443/wss"),
                ]),
            ],
            secretKey: Fixtures.eip778SecretKey)
        // Same content as the vectors' "synthetic-waku-rs-multiaddrs" plus the ip6 fields.
        #expect(enr.peerID.description == Fixtures.eip778PeerID)
        #expect(
            enr.entries.map(\.key) == [
                "id", "ip", "ip6", "multiaddrs", "rs", "secp256k1", "tcp", "tcp6", "udp", "udp6", "waku2",
            ])
        #expect(enr.ip6?.description == "2001:db8::1")
        #expect(enr.tcp6 == 60001)
        #expect(enr.udp6 == 9001)
        #expect(enr.relayShards == shards)
        #expect(enr.rs == shards && enr.rsv == nil)
        #expect(enr.protocols.count == 4)
        #expect(
            enr.dialAddresses.map(\.description) == [
                "/ip4/127.0.0.1/tcp/60000/p2p/\(Fixtures.eip778PeerID)",
                "/ip6/2001:db8::1/tcp/60001/p2p/\(Fixtures.eip778PeerID)",
                "/ip4/127.0.0.1/tcp/60001/ws/p2p/\(Fixtures.eip778PeerID)",
                "/dns4/example.org/tcp/443/wss/p2p/\(Fixtures.eip778PeerID)",
            ])
        #expect(try ENR(enr.description) == enr)
    }

    @Test("ip6 without tcp6 is dialled on tcp (EIP-778: tcp6 defaults to tcp)")
    func ip6FallsBackToTCP() throws {
        let enr = try ENR.sign(
            seq: 1, entries: [.ip6(try #require(IPv6Address("::1"))), .tcp(1234)], secretKey: Fixtures.eip778SecretKey)
        #expect(enr.dialAddresses.map(\.description) == ["/ip6/::1/tcp/1234/p2p/\(Fixtures.eip778PeerID)"])
    }

    static let v4 = RLP.Item.bytes(Array("v4".utf8))
    static var key: RLP.Item { .bytes(Fixtures.eip778PublicKey) }

    /// Records each breaking one rule, with the error kind and part expected.
    static var broken: [(String, [UInt8], ENRError.Kind, String)] {
        [
            (
                "unsorted keys",
                Fixtures.rawRecord(
                    Fixtures.content([("ip", .bytes([127, 0, 0, 1])), ("id", v4), ("secp256k1", key)])), .keyOrder,
                "key 'id'"
            ),
            (
                "duplicate key", Fixtures.rawRecord(Fixtures.content([("id", v4), ("id", v4), ("secp256k1", key)])),
                .keyOrder, "key 'id'"
            ),
            (
                "scheme v5",
                Fixtures.rawRecord(Fixtures.content([("id", .bytes(Array("v5".utf8))), ("secp256k1", key)])),
                .identityScheme, "id"
            ),
            ("no id", Fixtures.rawRecord(Fixtures.content([("secp256k1", key)])), .identityScheme, "id"),
            ("no key", Fixtures.rawRecord(Fixtures.content([("id", v4)])), .publicKey, "secp256k1"),
            (
                "key not on curve",
                Fixtures.rawRecord(
                    Fixtures.content([("id", v4), ("secp256k1", .bytes([0x02] + [UInt8](repeating: 0xff, count: 32)))])),
                .publicKey, "secp256k1"
            ),
            (
                "uncompressed key",
                Fixtures.rawRecord(
                    Fixtures.content([
                        ("id", v4), ("secp256k1", .bytes(Secp256k1.uncompress(Fixtures.eip778PublicKey)!)),
                    ])), .publicKey, "secp256k1"
            ),
            (
                "ip of 5 bytes",
                Fixtures.rawRecord(
                    Fixtures.content([("id", v4), ("ip", .bytes([1, 2, 3, 4, 5])), ("secp256k1", key)])), .field, "ip"
            ),
            (
                "ip6 of 4 bytes",
                Fixtures.rawRecord(Fixtures.content([("id", v4), ("ip6", .bytes([1, 2, 3, 4])), ("secp256k1", key)])),
                .field, "ip6"
            ),
            (
                "tcp of 3 bytes",
                Fixtures.rawRecord(Fixtures.content([("id", v4), ("secp256k1", key), ("tcp", .bytes([1, 2, 3]))])),
                .field, "tcp"
            ),
            (
                "udp with a leading zero",
                Fixtures.rawRecord(Fixtures.content([("id", v4), ("secp256k1", key), ("udp", .bytes([0, 80]))])),
                .field, "udp"
            ),
            (
                "seq with a leading zero",
                Fixtures.rawRecord([.bytes([0, 1])] + Fixtures.content([("id", v4), ("secp256k1", key)]).dropFirst()),
                .field, "seq"
            ),
            (
                "seq of 9 bytes",
                Fixtures.rawRecord(
                    [.bytes([UInt8](repeating: 1, count: 9))]
                        + Fixtures.content([("id", v4), ("secp256k1", key)]).dropFirst()), .field, "seq"
            ),
            (
                "key without value",
                Fixtures.rawRecord(Fixtures.content([("id", v4), ("secp256k1", key)]) + [.bytes(Array("z".utf8))]),
                .rlp, "rlp"
            ),
            ("signature only", RLP.encode(.list([.bytes([UInt8](repeating: 1, count: 64))])), .rlp, "rlp"),
            ("not a list", RLP.encode(.bytes([1, 2, 3])), .rlp, "rlp"),
            (
                "trailing byte", Fixtures.rawRecord(Fixtures.content([("id", v4), ("secp256k1", key)])) + [0], .rlp,
                "rlp"
            ),
            ("tampered content", tampered(), .signature, "signature"),
            ("short signature", shortSignature(), .signature, "signature"),
            (
                "over 300 bytes",
                Fixtures.rawRecord(
                    Fixtures.content([("id", v4), ("secp256k1", key), ("z", .bytes([UInt8](repeating: 0, count: 200)))])
                ), .tooLarge, "size"
            ),
        ]
    }

    /// A valid record whose udp port was changed after signing.
    static func tampered() -> [UInt8] {
        var bytes = Fixtures.rawRecord(
            Fixtures.content([("id", v4), ("secp256k1", key), ("udp", .bytes([0x76, 0x5f]))]))
        bytes[bytes.count - 1] ^= 1
        return bytes
    }

    static func shortSignature() -> [UInt8] {
        RLP.encode(
            .list([.bytes([UInt8](repeating: 1, count: 63))] + Fixtures.content([("id", v4), ("secp256k1", key)])))
    }

    @Test("Refuses records that break a rule", arguments: broken.map { ($0.0, $0.1, $0.2, $0.3) })
    func refuses(name: String, bytes: [UInt8], kind: ENRError.Kind, part: String) {
        #expect {
            try ENR(rlp: bytes)
        } throws: { error in
            guard let error = error as? ENRError else { return false }
            return error.kind == kind && error.part == part
        }
    }

    @Test(
        "Refuses bad text",
        arguments: [
            ("", ENRError.Kind.encoding),
            ("-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFr", .encoding),  // no enr: prefix
            ("ENR:-IS4QHCY", .encoding),
            ("enr:", .rlp),
            ("enr:-IS4QHCY+rYZ", .encoding),
            ("enr:" + String(repeating: "A", count: 404), .tooLarge),
        ])
    func refusesText(text: String, kind: ENRError.Kind) {
        #expect {
            try ENR(text)
        } throws: { error in
            (error as? ENRError)?.kind == kind
        }
    }

    @Test("High-S signatures are refused, their low-S twin accepted")
    func highS() throws {
        let record = try ENR(Fixtures.eip778Record)
        // s' = n - s: the same signature mathematically, the other S half.
        let n = Fixtures.hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        var s = Array(record.signature[32...])
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            let difference = Int(n[index]) - Int(s[index]) - borrow
            s[index] = UInt8((difference + 256) % 256)
            borrow = difference < 0 ? 1 : 0
        }
        let highS = Array(record.signature[..<32]) + s
        guard case .list(let items) = try RLP.decode(record.rlp) else {
            Issue.record("not a list")
            return
        }
        let forged = RLP.encode(.list([.bytes(highS)] + items.dropFirst()))
        #expect(
            throws: ENRError(
                kind: .signature, part: "signature",
                reason: "does not verify against the secp256k1 key (or has a high S)")
        ) {
            try ENR(rlp: forged)
        }
        #expect(
            Fixtures.hex(
                "7098ad865b00a582051940cb9cf36836572411a47278783077011599ed5cd16b890d9ca0b1dcb8c70cf7ec576146ec807c70e7c0410e8129e05f719bbbd975a5"
            ) == highS)
    }

    @Test("Unknown keys are kept; malformed Waku fields read as absent")
    func lenientWakuFields() throws {
        let enr = try ENR(
            rlp: Fixtures.rawRecord(
                Fixtures.content([
                    ("eth2", .bytes([1, 2])), ("id", Self.v4), ("multiaddrs", .bytes([0, 0])),
                    ("rs", .bytes([0, 1, 2, 0])),
                    ("rsv", .bytes([0, 1])), ("secp256k1", Self.key), ("waku2", .bytes([1, 2])),
                ])))
        #expect(enr["eth2"] == RLP.Item.bytes([1, 2]))
        #expect(enr.waku2 == nil)
        #expect(enr.rs == nil && enr.rsv == nil && enr.relayShards == nil)
        #expect(enr.multiaddrs.isEmpty)
        #expect(enr.protocols.isEmpty)
        #expect(!enr.containsShard(clusterID: 1, shardID: 0))
    }
}
