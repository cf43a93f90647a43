import NIOCore
import PeerWire
import Testing

@testable import PeerClient

/// The frames the client builds, decoded by PeerWire: what peerd receives.
@Suite("PeerClient: request frames")
struct RequestFrameTests {
    let connection = ClientConnection(socketPath: "/nonexistent/peerd.sock", maxFrameSize: 1024)

    @Test("The timeout travels in the envelope, in nanoseconds")
    func timeoutInEnvelope() throws {
        var frame = try connection.requestFrame(
            PeerManagerV1.PeerManager.getInfo, payload: ByteBuffer(), timeout: .milliseconds(250))
        frame.moveReaderIndex(forwardBy: FrameHeader.size)
        let envelope = try RequestEnvelope(wire: frame)
        #expect(envelope.service == "waku.peermanager.v1.PeerManager")
        #expect(envelope.method == "GetInfo")
        #expect(envelope.timeoutNanos == 250_000_000)
    }

    @Test("No timeout is 0 on the wire; a timeout that already passed fails before sending")
    func noOrPastTimeout() throws {
        var frame = try connection.requestFrame(PeerManagerV1.PeerManager.getInfo, payload: ByteBuffer(), timeout: nil)
        frame.moveReaderIndex(forwardBy: FrameHeader.size)
        #expect(try RequestEnvelope(wire: frame).timeoutNanos == 0)
        let error = #expect(throws: PeerdClientError.self) {
            try connection.requestFrame(PeerManagerV1.PeerManager.getInfo, payload: ByteBuffer(), timeout: .zero)
        }
        #expect(error?.code == .deadlineExceeded)
    }

    @Test("A request over the frame limit is refused before it is sent")
    func oversized() throws {
        let payload = ByteBuffer(repeating: 0, count: 2048)
        let error = #expect(throws: PeerdClientError.self) {
            try connection.requestFrame(PeerManagerV1.PeerManager.addPeer, payload: payload, timeout: nil)
        }
        #expect(error?.code == .resourceExhausted)
    }

    /// The hand-written envelope (``RequestFrameWriter``) against protobuf-c's: payloads whose
    /// length takes 0 (left out), 1, 2 and 3 bytes, with and without a timeout.
    @Test(
        "The envelope is byte for byte protobuf-c's",
        arguments: [0, 1, 120, 200, 20_000], [nil, Duration.nanoseconds(1), .milliseconds(250), .seconds(1 << 40)])
    func envelopeMatchesProtobufC(protocolLength: Int, timeout: Duration?) throws {
        let connection = ClientConnection(socketPath: "/nonexistent/peerd.sock")
        let request = PeerManagerV1.SelectPeerRequest(protocol: String(repeating: "p", count: protocolLength))
        let method = PeerManagerV1.PeerManager.selectPeer
        var frame = try connection.requestFrame(method, request: request, timeout: timeout)
        #expect(frame.readBytes(length: FrameHeader.size) == [UInt8](repeating: 0, count: FrameHeader.size))
        let expected = RequestEnvelope(
            service: method.service, method: method.method, payload: request.encoded(),
            timeoutNanos: timeout?.nanoseconds ?? 0
        ).encoded()
        #expect(frame == expected)
        #expect(try RequestEnvelope(wire: frame).payload == request.encoded())
        // The same frame from an encoded payload.
        var fromPayload = try connection.requestFrame(method, payload: request.encoded(), timeout: timeout)
        fromPayload.moveReaderIndex(forwardBy: FrameHeader.size)
        #expect(fromPayload == expected)
    }

    @Test(
        "Duration to nanoseconds saturates",
        arguments: [
            (Duration.zero, Int64(0)), (.nanoseconds(1), 1), (.milliseconds(1500), 1_500_000_000),
            (.seconds(Int64.max), .max), (.seconds(-Int64.max), .min), (.nanoseconds(-5), -5),
        ])
    func nanoseconds(duration: Duration, expected: Int64) {
        #expect(duration.nanoseconds == expected)
    }
}
