import NIOCore
import PeerIdentity
import PeerWire

/// Request bytes built once with PeerWire (the same code peerctl uses), then reused.
enum Wire {
    static let peerManager = "waku.peermanager.v1.PeerManager"
    static let host = "waku.peermanager.v1.Host"
    static let storeProtocol = "/vac/waku/store-query/3.0.0"
    static let relayProtocol = "/vac/waku/relay/2.0.0"

    /// A whole frame (header + payload) as bytes.
    static func frame(streamID: UInt32, type: MessageType, flags: FrameFlags = [], payload: ByteBuffer) -> [UInt8] {
        var buffer = ByteBuffer()
        Frame(streamID: streamID, type: type, flags: flags, payload: payload).write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// A Request frame for `service/method` carrying `message`.
    static func request(
        streamID: UInt32, service: String, method: String, _ message: some WireMessage, flags: FrameFlags = []
    ) -> [UInt8] {
        let envelope = RequestEnvelope(service: service, method: method, payload: message.encoded())
        return frame(streamID: streamID, type: .request, flags: flags, payload: envelope.encoded())
    }

    /// A Data frame holding one HostEvent.
    static func event(streamID: UInt32, _ event: PeerManagerV1.HostEvent.OneOf_Event) -> [UInt8] {
        frame(streamID: streamID, type: .data, payload: PeerManagerV1.HostEvent(event: event).encoded())
    }

    /// Overwrites the stream id (bytes 4..<8, big endian) of the frame at `offset`.
    @inline(__always)
    static func setStreamID(_ id: UInt32, in bytes: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        bytes.storeBytes(of: id.bigEndian, toByteOffset: offset + 4, as: UInt32.self)
    }

    /// Decodes a Response frame's envelope; throws unless it is OK.
    static func okPayload(_ frame: RawFrame, context: String) throws -> ByteBuffer {
        guard frame.type == MessageType.response.rawValue else {
            throw BenchError("\(context): expected a Response frame, got type \(frame.type)")
        }
        let response = try ResponseEnvelope(wire: ByteBuffer(bytes: frame.body))
        guard response.code == .ok else { throw BenchError("\(context): \(response.code) \(response.message)") }
        return response.payload
    }
}

/// Real peer ids from a counter: ed25519 keys, like the test suite's TestPeers.
enum Peers {
    static func id(_ n: Int) -> String {
        var key = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(n).bigEndian) { key.replaceSubrange(24..<32, with: $0) }
        key[0] = 0x42
        return try! PeerID(ed25519PublicKey: key).description
    }

    /// A distinct IPv4 address per peer (the colocation limit counts peers per IP).
    static func address(_ n: Int) -> String {
        "/ip4/10.\(n / 62_500 % 250).\(n / 250 % 250).\(n % 250 + 1)/tcp/60000"
    }

    /// An ENR-free structured Peer record, as a host or operator would AddPeer it.
    static func record(_ n: Int, protocols: [String]) -> PeerManagerV1.Peer {
        PeerManagerV1.Peer(
            peerID: id(n), addresses: [address(n)], protocols: protocols, agent: "nwaku/v0.36.0",
            protocolVersion: "ipfs/0.1.0")
    }
}
