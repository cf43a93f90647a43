// Throughput of the identity codecs, for the numbers in issue 4's report.
// Run: swift run -c release --package-path Benchmarks identity-bench
import PeerIdentity

/// Records from nwaku and the EIP-778 example (a mix of sizes: 134 to 298 bytes).
let records = [
    "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8",
    "enr:-QESuED0qW1BCmF-oH_ARGPr97Nv767bl_43uoy70vrbah3EaCAdK3Q0iRQ6wkSTTpdrg_dU_NC2ydO8leSlRpBX4pxiAYJpZIJ2NIJpcIRA4VDAim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQOTd-h5owwj-cx7xrmbvQKU8CV3Fomfdvcv1MBc-67T5oN0Y3CCdl-DdWRwgiMohXdha3UyDw",
    "enr:-LG4QBaAbcA921hmu3IrreLqGZ4y3VWCjBCgNN9mpX9vqkkbSrM3HJHZTXnb5iVXgc5pPtDhWLxkB6F3yY25hSwMezkEgmlkgnY0gmlwhH8AAAGKbXVsdGlhZGRyc4oACATAqEQ-BuphgnJzhQACAQAAiXNlY3AyNTZrMaEDpEW1UlUGHRJg6g_zGuCddKWmIUBGZCQX13xGfh9J6KiDdGNwguphg3VkcIIjKYV3YWt1Mg0",
    "enr:-JK4QPmO-sE2ELiWr8qVFs1kaY4jQZQpNaHvSPRmKiKcaDoqYRdki2c1BKSliImsxFeOD_UHnkddNL2l0XT9wlsP0WEBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQIMwKqlOl3zpwnrsKRKHuWPSuFzit1Cl6IZvL2uzBRe8oN0Y3CC6mKDdWRwgiMqhXdha3UyDw",
]

let addresses = [
    "/ip4/203.0.113.7/tcp/60000/p2p/16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKsb",
    "/dns4/node-01.do-ams3.waku.sandbox.status.im/tcp/8000/wss/p2p/16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKsb",
    "/ip6/2001:db8::ff00:42:8329/udp/9000/quic-v1",
    "/ip4/127.0.0.1/tcp/4001",
]

/// Runs `body` for about `seconds` after a short warm-up and prints operations per second.
func measure(_ name: String, seconds: Double = 2, perCall: Int, _ body: () throws -> Int) rethrows {
    let clock = ContinuousClock()
    var sink = 0
    for _ in 0..<50 { sink &+= try body() }
    var calls = 0
    let start = clock.now
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    while clock.now - start < budget {
        for _ in 0..<20 { sink &+= try body() }
        calls += 20
    }
    let elapsed = clock.now - start
    let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(calls * perCall) / secondsElapsed
    let perOp = 1e9 / rate
    print("\(name): \(Int(rate)) ops/s (\(format3(perOp)) ns/op)  [sink \(sink & 1)]")
}

func format3(_ value: Double) -> String {
    // Integer arithmetic only: this target links no libm (no Foundation).
    let tenths = Int(value * 10 + 0.5)
    return "\(tenths / 10).\(tenths % 10)"
}

let rlpRecords = try records.map { try ENR($0).rlp }
let binaryAddresses = try addresses.map { try Multiaddr($0).bytes }

print("identity-bench (\(records.count) ENRs, \(addresses.count) multiaddrs per round)")
try measure("ENR decode+verify (text)", perCall: records.count) {
    var total = 0
    for text in records { total &+= Int(try ENR(text).seq) }
    return total
}
try measure("ENR decode+verify (rlp)", perCall: rlpRecords.count) {
    var total = 0
    for bytes in rlpRecords { total &+= try ENR(rlp: bytes).dialAddresses.count }
    return total
}
try measure("multiaddr parse (text)", perCall: addresses.count) {
    var total = 0
    for text in addresses { total &+= try Multiaddr(text).components.count }
    return total
}
try measure("multiaddr parse (binary)", perCall: binaryAddresses.count) {
    var total = 0
    for bytes in binaryAddresses { total &+= try Multiaddr(bytes: bytes).components.count }
    return total
}
try measure("multiaddr format (text)", perCall: addresses.count) {
    var total = 0
    for text in addresses { total &+= try Multiaddr(text).description.utf8.count }
    return total
}
try measure("RemotePeerInfo(parsing:) multiaddr", perCall: 2) {
    try RemotePeerInfo(parsing: addresses[0]).addrs.count + RemotePeerInfo(parsing: addresses[1]).addrs.count
}
