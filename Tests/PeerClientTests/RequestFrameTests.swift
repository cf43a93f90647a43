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
