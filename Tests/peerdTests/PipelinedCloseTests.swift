import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// Issue 8, finding 1, over the real socket: a client writes a request answered at once and a
/// streaming request in one write, then closes without reading.
@Suite("peerd: pipelined requests from a client that closes at once")
struct PipelinedCloseTests {
    /// The bytes of the report: Health/Check on stream 1, then PeerManager/Watch on stream 3 with
    /// flag 0x01, in one write.
    static let reported: [UInt8] = hexBytes(
        "0000001e0000000101000a15677270632e6865616c74682e76312e4865616c74681205436865636b"
            + "000000280000000301010a1f77616b752e706565726d616e616765722e76312e506565724d616e61676572"
            + "12055761746368")

    @Test("The reported bytes, sent three times 0.3 s apart, leave peerd serving")
    func reportedBytes() throws {
        let peerd = try PeerdProcess()
        for _ in 0..<3 {
            let client = try SocketClient(path: peerd.socketPath)
            try client.sendRaw(Self.reported)
            client.close()
            usleep(300_000)
        }
        #expect(peerd.process.exitStatus == nil, "peerd exited; its log ends:\n\(peerd.logTail())")
        let client = try SocketClient(path: peerd.socketPath)
        #expect(try client.healthCheck(1) == .serving)
    }

    @Test("Every streaming method behind an inline answer, with a close at once, leaves peerd serving")
    func everyStreamingMethod() throws {
        let peerd = try PeerdProcess()
        let streaming: [(String, String, FrameFlags)] = [
            (PeerManagerV1.PeerManager.serviceName, "Watch", .remoteClosed),
            (Health.serviceName, "Watch", .remoteClosed),
            (PeerManagerV1.Host.serviceName, "Attach", .remoteOpen),
        ]
        for round in 0..<20 {
            let (service, method, flags) = streaming[round % streaming.count]
            var bytes = ByteBuffer()
            let check = RequestEnvelope(
                service: Health.serviceName, method: "Check", payload: Health.CheckRequest().encoded())
            Frame(streamID: 1, type: .request, payload: check.encoded()).write(to: &bytes)
            let stream = RequestEnvelope(service: service, method: method)
            Frame(streamID: 3, type: .request, flags: flags, payload: stream.encoded()).write(to: &bytes)
            let client = try SocketClient(path: peerd.socketPath)
            try client.sendRaw(Array(bytes.readableBytesView))
            client.close()
            usleep(20_000)
        }
        #expect(peerd.process.exitStatus == nil, "peerd exited; its log ends:\n\(peerd.logTail())")
        let client = try SocketClient(path: peerd.socketPath)
        #expect(try client.healthCheck(1) == .serving)
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var high: UInt8?
    for character in hex.utf8 {
        let nibble: UInt8 =
            character <= UInt8(ascii: "9") ? character - UInt8(ascii: "0") : character - UInt8(ascii: "a") + 10
        if let value = high {
            bytes.append(value << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return bytes
}
