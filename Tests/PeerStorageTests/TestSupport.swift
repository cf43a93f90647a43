import Foundation
import PeerCore
import PeerIdentity

/// A peer id: a sha2-256 multihash whose digest holds `n` (valid for `PeerID(validatingMultihash:)`).
func peer(_ n: Int) -> PeerID {
    var digest = [UInt8](repeating: 0xAB, count: 32)
    for index in 0..<8 { digest[index] = UInt8(truncatingIfNeeded: n >> (8 * index)) }
    return PeerID(multihash: [0x12, 0x20] + digest)
}

/// A seconds-based time near now, as the engine's wall clock gives.
func at(_ seconds: Int64) -> EngineTime { .seconds(1_700_000_000 + seconds) }

/// A record with every field set to something other than its default.
func fullRecord(_ n: Int) -> PeerRecord {
    PeerRecord(
        id: peer(n),
        addresses: [
            try! Multiaddr("/ip4/10.0.\(n % 250).\(n % 7)/tcp/60000"),
            try! Multiaddr("/dns4/node-\(n).example.org/tcp/443/wss"),
        ],
        protocols: [WakuCodec.relay, WakuCodec.store, "/custom/\(n)"],
        publicKey: [0x08, 0x02, 0x12, 0x21] + [UInt8](repeating: UInt8(n & 0xff), count: 33),
        agent: "nwaku/v0.\(n)", protocolVersion: "ipfs/0.1.0",
        enr: PeerENRInfo(
            sequence: UInt64(n) + 5, text: "enr:-test\(n)",
            relayShards: RelayShards(clusterID: 1, shardIDs: [0, 3, 7]),
            capabilities: [.relay, .store]),
        origin: .discv5, connectedness: .cannotConnect, direction: .outbound, disconnectTime: at(-50),
        failedAttempts: 3, lastFailedAttempt: at(-10),
        metadataShards: RelayShards(clusterID: 2, shardIDs: [1, 1023]))
}

/// A fresh directory under /tmp, removed by the caller.
func temporaryDirectory() throws -> String {
    var template = Array("/tmp/peerstore-test-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw POSIXError(.EIO) }
    return String(cString: path)
}
