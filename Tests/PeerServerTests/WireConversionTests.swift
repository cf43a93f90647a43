import PeerCore
import PeerIdentity
import PeerWire
import Testing

@testable import PeerServer

/// Numbers and identities crossing the wire: checked or saturating conversions, INVALID_ARGUMENT
/// with the allowed range, and messages that never carry a client's long input.
@Suite("Wire conversions")
struct WireConversionTests {
    @Test(
        "durations become wire milliseconds without trapping",
        arguments: [
            (Duration.zero, UInt64(0)), (.milliseconds(1500), 1500), (.seconds(-5), 0),
            (.seconds(Int64.max), UInt64.max), (.seconds(Int64(UInt64.max / 1000)), UInt64.max / 1000 * 1000),
            (.seconds(Int64(UInt64.max / 1000) + 1), UInt64.max),
        ])
    func milliseconds(duration: Duration, expected: UInt64) {
        #expect(duration.milliseconds == expected)
    }

    @Test("a *_ms field is 0 (default) or within its range; outside is INVALID_ARGUMENT with the range")
    func millisecondFields() throws {
        let range = EngineConfiguration.Bounds.dialTimeout
        #expect(try WireInput.milliseconds(0, field: "timeout_ms", in: range) == nil)
        #expect(try WireInput.milliseconds(10, field: "timeout_ms", in: range) == .milliseconds(10))
        #expect(try WireInput.milliseconds(3_600_000, field: "timeout_ms", in: range) == .seconds(3600))
        for value in [9, 3_600_001, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max] {
            #expect {
                try WireInput.milliseconds(value, field: "timeout_ms", in: range)
            } throws: { error in
                guard let error = (error as? PeerManagerError)?.rpcError else { return false }
                return error.code == .invalidArgument && error.message.contains("timeout_ms \(value)")
                    && error.message.contains("10...3600000")
            }
        }
    }

    @Test("a bad peer id names the field once and shows a short excerpt")
    func peerIDMessage() {
        let text = String(repeating: "Q", count: 100_000)
        #expect {
            try WireInput.peerID(text, field: "page_token")
        } throws: { error in
            guard let error = (error as? PeerManagerError)?.rpcError else { return false }
            return error.code == .invalidArgument && error.message.hasPrefix("page_token: ")
                && error.message.contains("100000") && error.message.utf8.count < 300
        }
    }

    @Test("a public key must derive the peer id it comes with")
    func publicKeys() throws {
        let key = LibP2PPublicKey(type: .ed25519, data: [UInt8](repeating: 7, count: 32))
        let peer = PeerID(publicKey: key)
        #expect(try WireInput.publicKey(key.protobufEncoded, of: peer, field: "peer.public_key") == key.protobufEncoded)
        let other = PeerID(publicKey: LibP2PPublicKey(type: .ed25519, data: [UInt8](repeating: 8, count: 32)))
        #expect {
            try WireInput.publicKey(key.protobufEncoded, of: other, field: "peer.public_key")
        } throws: { error in
            (error as? PeerManagerError)?.rpcError.code == .invalidArgument
                && (error as? PeerManagerError)?.rpcError.message.hasPrefix("peer.public_key: ") == true
        }
    }
}
