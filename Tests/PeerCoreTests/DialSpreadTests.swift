import PeerCore
import PeerIdentity
import Testing

/// ``DialSpread`` as a table: candidates (peer, group, origin) in the caller's random order, the
/// groups already held, and the queue expected.
struct DialSpreadCase: Sendable, CustomStringConvertible {
    /// A candidate: peer number, IPv4 /16 group number (or a name), origin.
    struct Row: Sendable {
        var peer: Int32
        var group: DialSpread.Group
        var origin: PeerOrigin = .discv5

        var candidate: DialSpread.Candidate { DialSpread.Candidate(peer: peer, group: group, origin: origin) }
    }

    var description: String
    var rows: [Row]
    var count: Int
    var held: [DialSpread.Group: Int] = [:]
    var queue: [Int32]
    var passedOver: Int
    var groups: Int

    static let a = DialSpread.Group.ipv4(0x0A00)
    static let b = DialSpread.Group.ipv4(0x0A01)
    static let c = DialSpread.Group.ipv4(0x0B00)
    static let d = DialSpread.Group.ipv4(0x0C00)

    static let table: [DialSpreadCase] = [
        DialSpreadCase(
            description: "one candidate per group: the caller's order is kept",
            rows: [Row(peer: 1, group: a), Row(peer: 2, group: b), Row(peer: 3, group: c)], count: 3,
            queue: [1, 2, 3], passedOver: 0, groups: 3),
        DialSpreadCase(
            description: "a group's second candidate waits for every untouched group",
            rows: [Row(peer: 1, group: a), Row(peer: 2, group: a), Row(peer: 3, group: a), Row(peer: 4, group: b)],
            count: 2, queue: [1, 4], passedOver: 1, groups: 2),
        DialSpreadCase(
            description: "a group held by an outbound peer comes after untouched groups",
            rows: [Row(peer: 1, group: a), Row(peer: 2, group: b), Row(peer: 3, group: c)], count: 2,
            held: [a: 1], queue: [2, 3], passedOver: 1, groups: 2),
        DialSpreadCase(
            description: "every group touched: the least held first, then round after round",
            rows: [
                Row(peer: 1, group: a), Row(peer: 2, group: a), Row(peer: 3, group: b), Row(peer: 4, group: b),
                Row(peer: 5, group: c),
            ],
            count: 5, held: [a: 2, b: 1, c: 1], queue: [3, 5, 1, 4, 2], passedOver: 0, groups: 3),
        DialSpreadCase(
            description: "few groups do not starve the round: it still fills from one group",
            rows: [Row(peer: 1, group: a), Row(peer: 2, group: a), Row(peer: 3, group: a)], count: 3,
            queue: [1, 2, 3], passedOver: 0, groups: 1),
        DialSpreadCase(
            description: "origins take turns within a level, each in the caller's order",
            rows: [
                Row(peer: 1, group: a, origin: .peerExchange), Row(peer: 2, group: b, origin: .peerExchange),
                Row(peer: 3, group: c, origin: .peerExchange), Row(peer: 4, group: d, origin: .discv5),
            ],
            count: 2, queue: [1, 4], passedOver: 1, groups: 2),
        DialSpreadCase(
            description: "a subnet fed by one source: one peer of it, then the other groups",
            rows: [
                Row(peer: 1, group: a, origin: .peerExchange), Row(peer: 2, group: a, origin: .peerExchange),
                Row(peer: 3, group: a, origin: .peerExchange), Row(peer: 4, group: b, origin: .discv5),
                Row(peer: 5, group: c, origin: .discv5),
            ],
            count: 4, queue: [1, 4, 5, 2], passedOver: 1, groups: 3),
        DialSpreadCase(
            description: "a DNS name is its own group, and peers without either are groups of one",
            rows: [
                Row(peer: 1, group: .name("a.example")), Row(peer: 2, group: .name("a.example")),
                Row(peer: 3, group: .single(3)), Row(peer: 4, group: .single(4)),
            ],
            count: 3, queue: [1, 3, 4], passedOver: 1, groups: 3),
        DialSpreadCase(
            description: "a count past the candidates gives them all; none gives nothing",
            rows: [Row(peer: 1, group: a), Row(peer: 2, group: a)], count: 9, queue: [1, 2], passedOver: 0,
            groups: 1),
        DialSpreadCase(description: "no candidates", rows: [], count: 4, queue: [], passedOver: 0, groups: 0),
        DialSpreadCase(
            description: "a negative count gives nothing", rows: [Row(peer: 1, group: a)], count: -1, queue: [],
            passedOver: 0, groups: 0),
    ]
}

@Suite("DialSpread")
struct DialSpreadTests {
    @Test("the spread order", arguments: DialSpreadCase.table)
    func order(_ row: DialSpreadCase) {
        let order = DialSpread.order(row.rows.map(\.candidate), count: row.count, held: row.held)
        #expect(order.queue == row.queue)
        #expect(order.passedOver == row.passedOver)
        #expect(order.groups == row.groups)
    }

    @Test(
        "an address's group: IPv4 /16, IPv6 /32, a DNS name lowercased, else the peer alone",
        arguments: [
            ("/ip4/10.1.2.3/tcp/60000", DialSpread.Group.ipv4(0x0A01)),
            ("/ip4/10.1.200.9/udp/9000/quic-v1", .ipv4(0x0A01)),
            ("/ip6/2001:db8:1:2::1/tcp/60000", .ipv6(0x2001_0DB8)),
            ("/dns4/Node-01.Example.org/tcp/443/wss", .name("node-01.example.org")),
            ("/dnsaddr/boot.example.org", .name("boot.example.org")),
            ("/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234", .single(7)),
        ])
    func group(_ text: String, _ expected: DialSpread.Group) throws {
        #expect(DialSpread.Group.of([try Multiaddr(text)], peer: 7) == expected)
    }

    @Test("the first address that names an IP or a host decides; an observed IP groups the same way")
    func firstAddressAndObservedIP() throws {
        let onion = try Multiaddr("/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234")
        let ip = try Multiaddr("/ip4/192.168.7.1/tcp/1")
        #expect(DialSpread.Group.of([onion, ip], peer: 1) == .ipv4(0xC0A8))
        #expect(DialSpread.Group.of([], peer: 5) == .single(5))
        #expect(DialSpread.Group.of(ip: "192.168.200.4") == .ipv4(0xC0A8))
        #expect(DialSpread.Group.of(ip: "2001:db8::7") == .ipv6(0x2001_0DB8))
        #expect(DialSpread.Group.of(ip: "not an ip") == nil)
    }

    @Test("30 % of the pool in 4 groups: a queue of 40 holds one peer of each of them, and 40 groups")
    func sybilSubnets() {
        var candidates: [DialSpread.Candidate] = []
        var rng = SeededGenerator(seed: 11)
        for peer in Int32(0)..<2000 {
            let sybil = Int.random(in: 0..<10, using: &rng) < 3
            let group: DialSpread.Group =
                sybil ? .ipv4(UInt16(0xCB00 + peer % 4)) : .ipv4(UInt16.random(in: 0...0x7FFF, using: &rng))
            candidates.append(
                DialSpread.Candidate(peer: peer, group: group, origin: sybil ? .peerExchange : .discv5))
        }
        let order = DialSpread.order(candidates, count: 40, held: [:])
        let sybils = order.queue.count { peer in
            if case .ipv4(let prefix) = candidates[Int(peer)].group { return prefix >= 0xCB00 && prefix < 0xCB04 }
            return false
        }
        #expect(order.queue.count == 40)
        #expect(sybils == 4)
        #expect(order.groups == 40)
        #expect(Set(order.queue).count == 40)
    }

    @Test("work is linear: 100k candidates in one group, or all distinct, order at once")
    func largePools() {
        let one = (Int32(0)..<100_000).map { DialSpread.Candidate(peer: $0, group: .ipv4(1), origin: .discv5) }
        #expect(DialSpread.order(one, count: 90, held: [.ipv4(1): 50]).queue == Array(0..<90))
        let distinct = (Int32(0)..<100_000).map {
            DialSpread.Candidate(peer: $0, group: .ipv6(UInt32($0)), origin: $0 % 2 == 0 ? .discv5 : .peerExchange)
        }
        #expect(DialSpread.order(distinct, count: 4, held: [:]).queue == [0, 1, 2, 3])
    }
}
