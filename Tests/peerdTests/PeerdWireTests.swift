import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// The built peerd binary, spoken to over its real socket with hand-built frames.
@Suite("peerd over its socket")
struct PeerdWireTests {
    @Test("Health/Check is SERVING for the server and each service; unknown services are NOT_FOUND")
    func healthCheck() throws {
        let peerd = try PeerdProcess()
        let client = try SocketClient(path: peerd.socketPath)
        #expect(try client.healthCheck(1) == .serving)
        #expect(try client.healthCheck(3, service: PeerManagerV1.PeerManager.serviceName) == .serving)
        let unknown = try client.call(
            5, GrpcHealthV1.Health.check, payload: Health.CheckRequest(service: "x.Y").encoded())
        #expect(unknown.code == .notFound)
    }

    @Test("GetInfo reports version, protocol, services and limits")
    func getInfo() throws {
        let peerd = try PeerdProcess(arguments: ["--max-concurrent-streams", "7"])
        let client = try SocketClient(path: peerd.socketPath)
        let response = try client.call(
            1, PeerManagerV1.PeerManager.getInfo, payload: ServerInfo.Request().encoded())
        #expect(response.code == .ok)
        let info = try ServerInfo.Response(wire: response.payload)
        #expect(info.protocol == "ttrpc/1.2+peerd-cancel")
        #expect(
            info.services == [
                GrpcHealthV1.Health.serviceName, PeerManagerV1.Host.serviceName, PeerManagerV1.PeerManager.serviceName,
            ])
        #expect(info.maxFrameSize == 4 << 20)
        #expect(info.maxConcurrentStreams == 7)
    }

    @Test("An unknown method is UNIMPLEMENTED")
    func unknownMethod() throws {
        let peerd = try PeerdProcess()
        let client = try SocketClient(path: peerd.socketPath)
        let response = try client.call(1, Health.serviceName, "Nope")
        #expect(response.code == .unimplemented)
        #expect(response.message == "method Nope")
        #expect(try client.healthCheck(3) == .serving)
    }

    @Test("An expired timeout is DEADLINE_EXCEEDED, after the stream's data")
    func deadlineExceeded() throws {
        let peerd = try PeerdProcess()
        let client = try SocketClient(path: peerd.socketPath)
        try client.request(
            1, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), timeoutNanos: 100_000_000,
            flags: .remoteClosed)
        let data = try client.readFrame()
        #expect(data.type == .data)
        #expect(try Health.CheckResponse(wire: data.payload).status == .serving)
        let (id, response) = try client.readResponse()
        #expect(id == 1)
        #expect(response.code == .deadlineExceeded)
        #expect(try client.healthCheck(3) == .serving)
    }

    @Test("After every kind of bad input the connection and the process keep serving")
    func badInputs() throws {
        let peerd = try PeerdProcess(arguments: ["--max-frame-size", "65536"])
        let client = try SocketClient(path: peerd.socketPath)
        var id: UInt32 = 1
        func next() -> UInt32 {
            defer { id += 2 }
            return id
        }

        // Undecodable envelope.
        let garbageID = next()
        try client.send(Frame(streamID: garbageID, type: .request, payload: ByteBuffer(bytes: [0xFF, 0xFF, 0x01])))
        #expect(try client.readResponse().response.code == .internal)
        #expect(try client.healthCheck(next()) == .serving)

        // Zero-length Request: an empty envelope names no service.
        try client.send(Frame(streamID: next(), type: .request, payload: ByteBuffer()))
        #expect(try client.readResponse().response.code == .unimplemented)

        // Even stream id.
        try client.request(2, GrpcHealthV1.Health.check)
        #expect(try client.readResponse().response.code == .invalidArgument)

        // Reused stream id.
        try client.request(1, GrpcHealthV1.Health.check)
        #expect(try client.readResponse().response.code == .invalidArgument)

        // Unknown frame type: ignored, no answer.
        try client.send(Frame(streamID: next(), type: MessageType(rawValue: 0x55), payload: ByteBuffer(bytes: [1, 2])))

        // Oversized frame: refused from its header, body skipped, connection kept.
        let bigID = next()
        try client.send(Frame(streamID: bigID, type: .request, payload: ByteBuffer(repeating: 0, count: 200_000)))
        let (oversizedID, oversized) = try client.readResponse()
        #expect(oversizedID == bigID)
        #expect(oversized.code == .resourceExhausted)
        #expect(oversized.message == "frame of 200000 bytes exceeds the maximum of 65536")

        #expect(try client.healthCheck(next()) == .serving)
        // And a second connection is served too.
        #expect(try SocketClient(path: peerd.socketPath).healthCheck(1) == .serving)
        #expect(peerd.process.isRunning)
    }

    @Test("A Cancel frame ends a stream with CANCELLED")
    func cancel() throws {
        let peerd = try PeerdProcess()
        let client = try SocketClient(path: peerd.socketPath)
        try client.request(
            1, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
        #expect(try client.readFrame().type == .data)
        try client.send(Frame(streamID: 1, type: .cancel, payload: CancelMessage(reason: "test").encoded()))
        let (id, response) = try client.readResponse()
        #expect(id == 1)
        #expect(response.code == .cancelled)
    }

    @Test("Streams beyond --max-concurrent-streams are RESOURCE_EXHAUSTED")
    func concurrentStreamCap() throws {
        let peerd = try PeerdProcess(arguments: ["--max-concurrent-streams", "2"])
        let client = try SocketClient(path: peerd.socketPath)
        for id in [1, 3] as [UInt32] {
            try client.request(
                id, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
            #expect(try client.readFrame().type == .data)
        }
        try client.request(
            5, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
        let (id, response) = try client.readResponse()
        #expect(id == 5)
        #expect(response.code == .resourceExhausted)
    }
}
