import Testing

@testable import PeerIdentity

/// Real records quoted in the behaviour notes §4, from the nwaku repository.
@Suite("ENR: records from nwaku")
struct ENRNwakuRecordTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var source: String
        var text: String
        var ip: String?
        var tcp: UInt16?
        var waku2: UInt8?
        var shards: RelayShards?
        var peerID: String?
        var testDescription: String { source }
    }

    static let sandbox = RelayShards(clusterID: 1, shardIDs: Array(0...7))
    static let status = RelayShards(clusterID: 16, shardIDs: [1, 32, 64, 128, 256])

    static let records: [Expected] = [
        Expected(
            source: "networks_config.nim:52",
            text:
                "enr:-QEkuED9X80QF_jcN9gA2ZRhhmwVEeJnsg_Hyg7IFCTYnZD0BDI7a8HArE61NhJZFwygpHCWkgwSt2vqiABXkBxzIqZBAYJpZIJ2NIJpcIQiQlleim11bHRpYWRkcnO4bgA0Ni9ub2RlLTAxLmdjLXVzLWNlbnRyYWwxLWEud2FrdS5zYW5kYm94LnN0YXR1cy5pbQZ2XwA2Ni9ub2RlLTAxLmdjLXVzLWNlbnRyYWwxLWEud2FrdS5zYW5kYm94LnN0YXR1cy5pbQYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQPFAS8zz2cg1QQhxMaK8CzkGQ5wdHvPJcrgLzJGOiHpwYN0Y3CCdl-DdWRwgiMohXdha3UyDw",
            ip: "34.66.89.94", tcp: 30303, waku2: 0x0f, shards: sandbox,
            peerID: "16Uiu2HAmRv1iQ3NoMMcjbtRmKxPuYBbF9nLYz2SDv9MTN8WhGuUU"),
        Expected(
            source: "networks_config.nim:53",
            text:
                "enr:-QEkuEBfEzJm_kigJ2HoSS_RBFJYhKHocGdkhhBr6jSUAWjLdFPp6Pj1l4yiTQp7TGHyu1kC6FyaU573VN8klLsEm-XuAYJpZIJ2NIJpcIQI2SVcim11bHRpYWRkcnO4bgA0Ni9ub2RlLTAxLmFjLWNuLWhvbmdrb25nLWMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQZ2XwA2Ni9ub2RlLTAxLmFjLWNuLWhvbmdrb25nLWMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQOwsS69tgD7u1K50r5-qG5hweuTwa0W26aYPnvivpNlrYN0Y3CCdl-DdWRwgiMohXdha3UyDw",
            ip: "8.217.37.92", tcp: 30303, waku2: 0x0f, shards: sandbox,
            peerID: "16Uiu2HAmQYiojgZ8APsh9wqbWNyCstVhnp9gbeNrxSEQnLJchC92"),
        Expected(
            source: "test_waku_enr.nim:152",
            text:
                "enr:-QEMuEAs8JmmyUI3b9v_ADqYtELHUYAsAMS21lA2BMtrzF86tVmyy9cCrhmzfHGHx_g3nybn7jIRybzXTGNj3C2KzrriAYJpZIJ2NIJpcISf3_Jeim11bHRpYWRkcnO4XAArNiZzdG9yZS0wMS5kby1hbXMzLnN0YXR1cy5wcm9kLnN0YXR1cy5pbQZ2XwAtNiZzdG9yZS0wMS5kby1hbXMzLnN0YXR1cy5wcm9kLnN0YXR1cy5pbQYBu94DgnJzjQAQBQABACAAQACAAQCJc2VjcDI1NmsxoQLfoaQH3oSYW59yxEBfeAZbltmUnC4BzYkHqer2VQMTyoN0Y3CCdl-DdWRwgiMohXdha3UyAw",
            ip: "159.223.242.94", tcp: 30303, waku2: 0x03, shards: status,
            peerID: "16Uiu2HAmAUdrQ3uwzuE4Gy4D56hX6uLKEeerJAnhKEHZ3DxF1EfT"),
        Expected(
            source: "test_waku_enr.nim:77 (no enr: prefix in nwaku)",
            text:
                "enr:-Hy4QC73_E3B_FkZhsOakaD4pHe-U--UoGASdG9N0F3SFFUDY_jdQbud8EXVyrlOZ5pZ7VYFBDPMRCENwy87Lh74dFIBgmlkgnY0iXNlY3AyNTZrMaECvNt1jIWbWGpAWWdlLGYm1E1OjlkQk3ONoxDC5sfw8oOFd2FrdTID",
            ip: nil, tcp: nil, waku2: 0x03, shards: nil,
            peerID: "16Uiu2HAm88tibZeYNH9XqvtiYrNnF2xtAfkFWRZXzr36sP1Jv6zE"),
        Expected(
            source: "test_waku_enr.nim:126 (Ethereum record)",
            text:
                "enr:-KG4QOtcP9X1FbIMOe17QNMKqDxCpm14jcX5tiOE4_TyMrFqbmhPZHK_ZPG2Gxb1GE2xdtodOfx9-cgvNtxnRyHEmC0ghGV0aDKQ9aX9QgAAAAD__________4JpZIJ2NIJpcIQDE8KdiXNlY3AyNTZrMaEDhpehBDbZjM_L9ek699Y7vhUJ-eAdMyQW_Fil522Y0fODdGNwgiMog3VkcIIjKA",
            ip: "3.19.194.157", tcp: 9000, waku2: nil, shards: nil, peerID: nil),
        Expected(
            source: "infra.env:11",
            text:
                "enr:-QEcuED7ww5vo2rKc1pyBp7fubBUH-8STHEZHo7InjVjLblEVyDGkjdTI9VdqmYQOn95vuQH-Htku17WSTzEufx-Wg4mAYJpZIJ2NIJpcIQihw1Xim11bHRpYWRkcnO4bAAzNi5ib290LTAxLmdjLXVzLWNlbnRyYWwxLWEuc3RhdHVzLnByb2Quc3RhdHVzLmltBnZfADU2LmJvb3QtMDEuZ2MtdXMtY2VudHJhbDEtYS5zdGF0dXMucHJvZC5zdGF0dXMuaW0GAbveA4Jyc40AEAUAAQAgAEAAgAEAiXNlY3AyNTZrMaECxjqgDQ0WyRSOilYU32DA5k_XNlDis3m1VdXkK9xM6kODdGNwgnZfg3VkcIIjKIV3YWt1Mg0",
            ip: "34.135.13.87", tcp: 30303, waku2: 0x0d, shards: status,
            peerID: "16Uiu2HAm8mUZ18tBWPXDQsaF7PbCKYA35z7WB2xNZH2EVq1qS8LJ"),
        Expected(
            source: "mixnet/config1.toml:14",
            text:
                "enr:-LG4QBaAbcA921hmu3IrreLqGZ4y3VWCjBCgNN9mpX9vqkkbSrM3HJHZTXnb5iVXgc5pPtDhWLxkB6F3yY25hSwMezkEgmlkgnY0gmlwhH8AAAGKbXVsdGlhZGRyc4oACATAqEQ-BuphgnJzhQACAQAAiXNlY3AyNTZrMaEDpEW1UlUGHRJg6g_zGuCddKWmIUBGZCQX13xGfh9J6KiDdGNwguphg3VkcIIjKYV3YWt1Mg0",
            ip: "127.0.0.1", tcp: 60001, waku2: 0x0d, shards: RelayShards(clusterID: 2, shardIDs: [0]),
            peerID: "16Uiu2HAmPiEs2ozjjJF2iN2Pe2FYeMC9w4caRHKYdLdAfjgbWM6o"),
        Expected(
            source: "mixnet/README.md:37 (mix bit, empty multiaddrs)",
            text:
                "enr:-NC4QKYtas8STkenlqBTJ3a1TTLzJA2DsGGbFlnxem9aSM2IXm-CSVZULdk2467bAyFnepnt8KP_QlfDzdaMXd_zqtwBgmlkgnY0gmlwhH8AAAGHbWl4LWtleaCdCc5iT3bo9gYmXtucyit96bQXcqbXhL3a-S_6j7p9LIptdWx0aWFkZHJzgIJyc4UAAgEAAIlzZWNwMjU2azGhA6RFtVJVBh0SYOoP8xrgnXSlpiFARmQkF9d8Rn4fSeiog3RjcILqYYN1ZHCCIymFd2FrdTIt",
            ip: "127.0.0.1", tcp: 60001, waku2: 0x2d, shards: RelayShards(clusterID: 2, shardIDs: [0]),
            peerID: "16Uiu2HAmPiEs2ozjjJF2iN2Pe2FYeMC9w4caRHKYdLdAfjgbWM6o"),
        Expected(
            source: "test_rpc_codec.nim:39",
            text:
                "enr:-JK4QPmO-sE2ELiWr8qVFs1kaY4jQZQpNaHvSPRmKiKcaDoqYRdki2c1BKSliImsxFeOD_UHnkddNL2l0XT9wlsP0WEBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQIMwKqlOl3zpwnrsKRKHuWPSuFzit1Cl6IZvL2uzBRe8oN0Y3CC6mKDdWRwgiMqhXdha3UyDw",
            ip: "127.0.0.1", tcp: 60002, waku2: 0x0f, shards: nil,
            peerID: "16Uiu2HAkvHTGUimhUCk9s73j5EmsaBBaiC63Wkp93JDFbQ2AoQGq"),
    ]

    @Test("Decodes, verifies and derives the listed values", arguments: records)
    func record(expected: Expected) throws {
        let enr = try ENR(expected.text)
        #expect(enr.ip?.description == expected.ip)
        #expect(enr.tcp == expected.tcp)
        #expect(enr.waku2?.rawValue == expected.waku2)
        #expect(enr.relayShards == expected.shards)
        if let peerID = expected.peerID { #expect(enr.peerID.description == peerID) }
    }

    @Test("Mix bit maps to the libp2p mix codec; ENR without waku2 has no protocols")
    func capabilities() throws {
        let mix = try ENR(Self.records[7].text)
        #expect(mix.waku2?.contains(.mix) == true)
        #expect(mix.protocols.contains("/mix/1.0.0"))
        #expect(mix.multiaddrs.isEmpty)
        #expect(try ENR(Self.records[4].text).protocols.isEmpty)
        #expect(try ENR(Self.records[3].text).protocols == ["/vac/waku/relay/2.0.0", "/vac/waku/store-query/3.0.0"])
        #expect(WakuCapabilities(rawValue: 0b1101).names == ["relay", "filter", "lightpush"])
    }

    @Test("The store record's multiaddrs decode to two dns4 addresses")
    func multiaddrs() throws {
        let enr = try ENR(Self.records[2].text)
        #expect(
            enr.multiaddrs.map(\.description) == [
                "/dns4/store-01.do-ams3.status.prod.status.im/tcp/30303",
                "/dns4/store-01.do-ams3.status.prod.status.im/tcp/443/wss",
            ])
    }
}
