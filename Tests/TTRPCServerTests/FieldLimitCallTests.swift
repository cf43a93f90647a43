import NIOCore
import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// The field limits as a client sees them: INVALID_ARGUMENT naming the field, never a call
/// served with a string cut at a NUL byte.
@Suite("ConnectionHandler: field limits answer INVALID_ARGUMENT")
struct FieldLimitCallTests {
    /// t/Get (inline) and t/GetLater (in a Task) echo the peer id they decoded.
    static let get = MethodDescriptor<PeerManagerV1.GetPeerRequest, PeerManagerV1.GetPeerRequest>(
        service: "t", method: "Get", kind: .unary)
    static let getLater = MethodDescriptor<PeerManagerV1.GetPeerRequest, PeerManagerV1.GetPeerRequest>(
        service: "t", method: "GetLater", kind: .unary)

    static func router() -> RPCRouter {
        var router = RPCRouter.testRouter()
        router.inline(get) { request, _ in PeerManagerV1.GetPeerRequest(peerID: request.peerID) }
        router.unary(getLater) { request, _ in PeerManagerV1.GetPeerRequest(peerID: request.peerID) }
        return router
    }

    static func envelope(service: String, method: String, payload: [UInt8] = []) -> ByteBuffer {
        var bytes: [UInt8] = []
        for (field, value) in [(1, Array(service.utf8)), (2, Array(method.utf8)), (3, payload)] {
            bytes += [UInt8(field << 3 | 2)] + varint(value.count) + value
        }
        return ByteBuffer(bytes: bytes)
    }

    static func peerRequest(_ peerID: String) -> [UInt8] {
        [0x0A] + varint(peerID.utf8.count) + Array(peerID.utf8)
    }

    static func varint(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    @Test("A method name with a NUL is INVALID_ARGUMENT, not the method before the NUL")
    func methodWithNul() async throws {
        let harness = try await ConnectionHarness(router: Self.router())
        try await harness.send(
            Frame(streamID: 1, type: .request, payload: Self.envelope(service: "t", method: "Echo\0evil")))
        let (_, response) = try await harness.nextResponse()
        #expect(response.code == .invalidArgument)
        #expect(response.message == "ttrpc.Request.method: a string must not contain a NUL byte")
    }

    @Test(
        "A request field with a NUL is INVALID_ARGUMENT naming it, inline and in a task",
        arguments: ["Get", "GetLater"])
    func requestWithNul(method: String) async throws {
        let harness = try await ConnectionHarness(router: Self.router())
        let payload = Self.peerRequest("16Uiu2HAm\0junk")
        try await harness.send(
            Frame(streamID: 1, type: .request, payload: Self.envelope(service: "t", method: method, payload: payload)))
        let (_, response) = try await harness.nextResponse()
        #expect(response.code == .invalidArgument)
        #expect(response.message == "waku.peermanager.v1.GetPeerRequest.peer_id: a string must not contain a NUL byte")
    }

    @Test("The configured maxFieldBytes is the limit, inline and in a task", arguments: ["Get", "GetLater"])
    func configuredLimit(method: String) async throws {
        let payload = Self.peerRequest(String(repeating: "p", count: 600))
        let frame = Frame(
            streamID: 1, type: .request, payload: Self.envelope(service: "t", method: method, payload: payload))

        let narrow = try await ConnectionHarness(
            router: Self.router(), configuration: ServerConfiguration(socketPath: "/unused", maxFieldBytes: 512))
        try await narrow.send(frame)
        let (_, refused) = try await narrow.nextResponse()
        #expect(refused.code == .invalidArgument)
        #expect(
            refused.message
                == "waku.peermanager.v1.GetPeerRequest.peer_id: 600 bytes, more than the limit of 512 (--max-field-bytes)"
        )

        let standard = try await ConnectionHarness(router: Self.router())
        try await standard.send(frame)
        let (_, served) = try await standard.nextResponse()
        #expect(served.code == .ok)
        #expect(try PeerManagerV1.GetPeerRequest(wire: served.payload).peerID.utf8.count == 600)
    }

    @Test("maxFieldBytes outside 512...1 MiB is refused at start, naming the flag")
    func bounds() {
        #expect(
            ServerConfiguration(socketPath: "/s", maxFieldBytes: 511).problems() == [
                "max field bytes: 511, must be 512...1048576"
            ])
        #expect(ServerConfiguration(socketPath: "/s", maxFieldBytes: 1 << 20).problems().isEmpty)
    }
}
