import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// Issue 8, finding 14, over the real socket: strings with a NUL byte are INVALID_ARGUMENT and
/// change nothing; `--max-field-bytes` sets the longest field.
@Suite("peerd: field limits over the socket")
struct FieldLimitWireTests {
    static let manager = PeerManagerV1.PeerManager.serviceName

    /// An envelope assembled by hand: the encoder, like protobuf-c's, stops a string at a NUL.
    static func envelope(service: String, method: String, payload: [UInt8] = []) -> ByteBuffer {
        ByteBuffer(bytes: field(1, Array(service.utf8)) + field(2, Array(method.utf8)) + field(3, payload))
    }

    static func field(_ number: Int, _ value: [UInt8]) -> [UInt8] {
        var length = value.count
        var bytes: [UInt8] = [UInt8(number << 3 | 2)]
        while length >= 0x80 {
            bytes.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        return bytes + [UInt8(length)] + value
    }

    @Test("Check\\0evil is not served as Check; AddPeer and RemovePeer with a NUL change nothing")
    func nulBytes() throws {
        let peerd = try PeerdProcess()
        let client = try SocketClient(path: peerd.socketPath)
        try client.send(
            Frame(
                streamID: 1, type: .request, payload: Self.envelope(service: Health.serviceName, method: "Check\0evil"))
        )
        let method = try client.readResponse().response
        #expect(method.code == .invalidArgument)
        #expect(method.message.contains("ttrpc.Request.method"))

        let id = TestPeers.id(1)
        let added = try client.call(
            3, Self.manager, "AddPeer",
            payload: PeerManagerV1.AddPeerRequest(source: .address("/ip4/10.0.0.1/tcp/60000/p2p/\(id)")).encoded())
        #expect(added.code == .ok)

        let junkAddress = Self.field(1, Array("/ip4/10.0.0.2/tcp/60000/p2p/\(TestPeers.id(2))\0junk".utf8))
        try client.send(
            Frame(
                streamID: 5, type: .request,
                payload: Self.envelope(service: Self.manager, method: "AddPeer", payload: junkAddress)))
        let add = try client.readResponse().response
        #expect(add.code == .invalidArgument)
        #expect(add.message == "waku.peermanager.v1.AddPeerRequest.address: a string must not contain a NUL byte")

        try client.send(
            Frame(
                streamID: 7, type: .request,
                payload: Self.envelope(
                    service: Self.manager, method: "RemovePeer", payload: Self.field(1, Array("\(id)\0junk".utf8)))))
        let remove = try client.readResponse().response
        #expect(remove.code == .invalidArgument)
        #expect(remove.message == "waku.peermanager.v1.RemovePeerRequest.peer_id: a string must not contain a NUL byte")

        let list = try client.call(9, Self.manager, "ListPeers", payload: PeerManagerV1.ListPeersRequest().encoded())
        #expect(try PeerManagerV1.ListPeersResponse(wire: list.payload).peers.map(\.peerID) == [id])
    }

    @Test("--max-field-bytes sets the limit; a bad value is refused at start naming the flag")
    func flag() throws {
        let peerd = try PeerdProcess(arguments: ["--max-field-bytes", "512"])
        let client = try SocketClient(path: peerd.socketPath)
        let long = try client.call(
            1, Self.manager, "GetPeer",
            payload: PeerManagerV1.GetPeerRequest(peerID: String(repeating: "1", count: 513)).encoded())
        #expect(long.code == .invalidArgument)
        #expect(
            long.message
                == "waku.peermanager.v1.GetPeerRequest.peer_id: 513 bytes, more than the limit of 512 (--max-field-bytes)"
        )
        #expect(try client.healthCheck(3) == .serving)

        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = try ChildProcess.run(
            PeerdProcess.binary.path, ["--socket", "\(directory)/s.sock", "--max-field-bytes", "100"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--max-field-bytes: must be from 512 to 1048576 (actual: 100)"))
    }
}
