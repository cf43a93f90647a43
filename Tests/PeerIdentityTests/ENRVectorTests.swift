import Testing

@testable import PeerIdentity

@Suite("ENR vectors (Tests/Vectors/enr_vectors.json)")
struct ENRVectorTests {
    static var records: [ENRVectors.Record] { ENRVectors.shared?.records ?? [] }
    static var synthetic: [ENRVectors.Synthetic] { ENRVectors.shared?.syntheticAndNegative ?? [] }

    @Test("The vector file is found and complete")
    func fileLoads() throws {
        let vectors = try #require(ENRVectors.shared, "cannot read \(ENRVectors.path)")
        #expect(vectors.records.count == 31)
        #expect(vectors.syntheticAndNegative.count == 7)
    }

    @Test("Real records decode to exactly the listed fields", arguments: records.map(\.enr))
    func realRecord(text: String) throws {
        let vector = try #require(Self.records.first { $0.enr == text })
        let enr = try ENR(text)
        try Self.check(enr, against: vector.decoded)
    }

    @Test("Synthetic and corrupted records are accepted or refused as expected", arguments: synthetic.map(\.name))
    func syntheticRecord(name: String) throws {
        let vector = try #require(Self.synthetic.first { $0.name == name })
        switch vector.expectValid {
        case .yes:
            try Self.check(try ENR(vector.enr), against: vector.decoded)
        case .no, .depends:
            // "depends" is the high-S record: libsecp256k1 (and go-ethereum) refuse it, so do we.
            let expected = Self.expectedKind(vector.decoded)
            #expect {
                try ENR(vector.enr)
            } throws: { error in
                (error as? ENRError)?.kind == expected
            }
        }
    }

    /// The vector's reason category, mapped to our error kind.
    static func expectedKind(_ decoded: ENRVectors.Decoded) -> ENRError.Kind? {
        if decoded.error != nil { return .encoding }  // padding, truncated base64
        if decoded.sizeOK == false { return .tooLarge }
        if decoded.keysSortedUnique == false { return .keyOrder }
        if decoded.signatureHighS == true || decoded.signatureValid == false { return .signature }
        return nil
    }

    static func check(_ enr: ENR, against decoded: ENRVectors.Decoded) throws {
        #expect(enr.seq == decoded.seq)
        #expect(enr.rlp.count == decoded.sizeBytes)
        #expect(Hex.encode(enr.signature) == decoded.signature)
        #expect(Hex.encode(enr.nodeID) == decoded.nodeID)
        #expect(enr.peerID.description == decoded.peerID)
        #expect(enr.dialAddresses.map(\.description) == decoded.dialMultiaddrs)

        // keccak256 of rlp([seq, k, v, ...]), rebuilt from the decoded items.
        guard case .list(let items) = try RLP.decode(enr.rlp) else { throw ExpectationFailed() }
        #expect(Hex.encode(Keccak256.hash(RLP.encode(.list(Array(items.dropFirst()))))) == decoded.contentKeccak)

        let fields = try #require(decoded.fields)
        #expect(Set(enr.entries.map(\.key)) == Set(fields.keys))
        for (key, value) in fields {
            switch key {
            case "id": #expect(enr.id == value.string)
            case "ip": #expect(enr.ip?.description == value.string)
            case "ip6": #expect(enr.ip6?.description == value.string)
            case "tcp": #expect(enr.tcp.map(Int.init) == value.number)
            case "udp": #expect(enr.udp.map(Int.init) == value.number)
            case "tcp6": #expect(enr.tcp6.map(Int.init) == value.number)
            case "udp6": #expect(enr.udp6.map(Int.init) == value.number)
            case "secp256k1": #expect(Hex.encode(enr.publicKey) == value.string)
            case "multiaddrs": #expect(enr.multiaddrs.map(\.description) == value.strings)
            case "waku2":
                #expect(enr.waku2.map { Hex.encode([$0.rawValue]) } == value["raw"]?.string)
                #expect(enr.waku2?.names == value["caps"]?.strings)
            case "rs", "rsv":
                let shards = key == "rs" ? enr.rs : enr.rsv
                #expect(shards.map { Int($0.clusterID) } == value["cluster"]?.number)
                #expect(shards?.shardIDs.map(Int.init) == value["shards"]?.numbers)
            default:
                // Fields peerd does not interpret (eth2, attnets) are kept as raw bytes.
                #expect(enr[key]?.bytes.map(Hex.encode) == value.string, "field \(key)")
            }
        }
    }

    struct ExpectationFailed: Error {}
}
