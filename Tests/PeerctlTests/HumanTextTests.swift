import PeerWire
import Testing

@testable import peerctl

@Suite("peerctl human text")
struct HumanTextTests {
    /// nwaku's defaults: 120 s, factor 4, never from 5 failures on.
    static let configuration = PeerManagerV1.Configuration(
        initialBackoffMs: 120_000, backoffFactor: 4, maxFailedAttempts: 5)

    @Test(
        "next retry: none without failures, initial x factor^(n-1) after the last failure, never from the maximum",
        arguments: [
            (0, nil, 0, "-"),
            (1, 1_000_000, 1_000_000, "in 2m00s"),
            (1, 1_000_000, 1_120_000, "now"),
            (1, 1_000_000, 1_119_999, "in 1ms"),
            (2, 1_000_000, 1_000_000, "in 8m00s"),
            (4, 0, 0, "in 2h08m"),  // 120 s x 4^3 = 7680 s
            (5, 1_000_000, 1_000_000, "never"),
            (4_000_000_000, 0, 0, "never"),
            (1, nil, 120_000, "now"),  // no time recorded: counted from the epoch, as peerd does
            (1, Int64.max - 10, 0, "never"),  // the sum overflows: never within any clock
        ] as [(UInt32, Int64?, Int64, String)])
    func nextRetry(failures: UInt32, lastFailure: Int64?, now: Int64, expected: String) {
        #expect(
            HumanText.nextRetry(
                failedDials: failures, lastFailedDialMs: lastFailure, configuration: Self.configuration, nowMs: now)
                == expected)
    }

    @Test("next retry: a factor of 1 keeps the first wait, however many failures (and without 2^32 rounds)")
    func nextRetryFactorOne() {
        let configuration = PeerManagerV1.Configuration(
            initialBackoffMs: 1000, backoffFactor: 1, maxFailedAttempts: .max)
        #expect(
            HumanText.nextRetry(
                failedDials: .max - 1, lastFailedDialMs: 0, configuration: configuration, nowMs: 0) == "in 1s")
    }

    @Test(
        "durations in their two largest units",
        arguments: [
            (-5, "0ms"), (0, "0ms"), (999, "999ms"), (1000, "1s"), (59_999, "59s"), (60_000, "1m00s"),
            (125_000, "2m05s"), (3_600_000, "1h00m"), (3_840_000, "1h04m"), (86_400_000, "1d00h"),
            (266_400_000, "3d02h"), (Int64.max, "106751991167d07h"),
        ] as [(Int64, String)])
    func duration(milliseconds: Int64, expected: String) {
        #expect(HumanText.duration(milliseconds: milliseconds) == expected)
    }

    @Test(
        "timestamps: UTC ISO 8601 with milliseconds; out of range falls back to the number",
        arguments: [
            (0, "1970-01-01T00:00:00.000Z"), (1_795_996_923_456, "2026-11-30T00:02:03.456Z"),
            (-1, "1969-12-31T23:59:59.999Z"), (Int64.max, "\(Int64.max)ms"),
        ] as [(Int64, String)])
    func timestamp(milliseconds: Int64, expected: String) {
        #expect(HumanText.timestamp(milliseconds: milliseconds) == expected)
    }

    @Test(
        "peer ids keep both ends; short strings and --wide stay whole",
        arguments: [
            ("16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ", false, "16Uiu2HAm…o97bUZ"),
            (
                "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ", true,
                "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
            ),
            ("12D3KooWabc", false, "12D3KooWabc"), ("", false, ""),
        ] as [(String, Bool, String)])
    func peerID(id: String, wide: Bool, expected: String) {
        #expect(HumanText.peerID(id, wide: wide) == expected)
    }

    @Test("protocols lose the shared /vac/waku/ prefix; shards read cluster/shards, metadata before ENR")
    func protocolsAndShards() {
        #expect(HumanText.protocols([]) == "-")
        #expect(
            HumanText.protocols(["/vac/waku/relay/2.0.0", "/ipfs/id/1.0.0"]) == "relay/2.0.0,/ipfs/id/1.0.0")
        var peer = PeerManagerV1.Peer()
        #expect(HumanText.shards(peer) == "-")
        peer.enrShards = .init(clusterID: 1, shardIDs: [0, 1])
        #expect(HumanText.shards(peer) == "1/0,1")
        peer.metadataShards = .init(clusterID: 1, shardIDs: [])
        #expect(HumanText.shards(peer) == "1/-")
    }

    @Test("capabilities by name, unknown bits as hex")
    func capabilities() {
        #expect(PeerTable.capabilities(0) == "-")
        #expect(PeerTable.capabilities(0b11) == "relay,store")
        #expect(PeerTable.capabilities(0b10_0000 | 0x100) == "mix,0x100")
    }
}
