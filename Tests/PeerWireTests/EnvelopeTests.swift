import NIOCore
import PeerWire
import Testing

@Suite("Envelopes and messages through protobuf-c")
struct EnvelopeTests {
    @Test(
        "Request envelope round trip",
        arguments: [
            RequestEnvelope(service: "", method: ""),
            RequestEnvelope(service: GrpcHealthV1.Health.serviceName, method: "Check"),
            RequestEnvelope(
                service: PeerManagerV1.PeerManager.serviceName, method: "SelectPeer",
                payload: ByteBuffer(repeating: 0, count: 1000), timeoutNanos: 5_000_000_000,
                metadata: [.init(key: "a", value: "1"), .init(key: "ü", value: "")]),
        ])
    func requestRoundTrip(envelope: RequestEnvelope) throws {
        #expect(try RequestEnvelope(wire: envelope.encoded()) == envelope)
    }

    @Test("Response envelope round trip for every status code", arguments: StatusCode.all)
    func responseRoundTrip(code: StatusCode) throws {
        let response = ResponseEnvelope(code: code, message: "m \(code)", payload: ByteBuffer(bytes: [1, 2]))
        #expect(try ResponseEnvelope(wire: response.encoded()) == response)
    }

    @Test("Known bytes: ttrpc.Request as Go's ttrpc writes it")
    func requestGoldenBytes() throws {
        // service "s", method "m", payload [0x08 0x01], timeout 1000 (hand-assembled protobuf).
        let golden: [UInt8] = [0x0A, 1, 0x73, 0x12, 1, 0x6D, 0x1A, 2, 0x08, 0x01, 0x20, 0xE8, 0x07]
        let envelope = RequestEnvelope(
            service: "s", method: "m", payload: ByteBuffer(bytes: [8, 1]), timeoutNanos: 1000)
        #expect(Array(envelope.encoded().readableBytesView) == golden)
        #expect(try RequestEnvelope(wire: ByteBuffer(bytes: golden)) == envelope)
    }

    @Test("A response without a status reads as OK")
    func responseWithoutStatus() throws {
        let response = try ResponseEnvelope(wire: ByteBuffer(bytes: [0x12, 1, 0x07]))
        #expect(response.code == .ok)
        #expect(Array(response.payload.readableBytesView) == [7])
    }

    @Test(
        "Garbage is refused with the message name",
        arguments: [[0xFF, 0xFF, 0xFF], [0x0A, 5, 0x61], [0x22, 0x80]] as [[UInt8]])
    func garbageRefused(bytes: [UInt8]) {
        #expect(throws: WireDecodingError(messageName: "ttrpc.Request", byteCount: bytes.count)) {
            try RequestEnvelope(wire: ByteBuffer(bytes: bytes))
        }
    }

    @Test("Health and GetInfo messages round trip")
    func messagesRoundTrip() throws {
        let check = Health.CheckRequest(service: PeerManagerV1.PeerManager.serviceName)
        #expect(try Health.CheckRequest(wire: check.encoded()) == check)
        for status in [Health.ServingStatus.unknown, .serving, .notServing, .serviceUnknown] {
            #expect(try Health.CheckResponse(wire: Health.CheckResponse(status: status).encoded()).status == status)
        }
        let info = ServerInfo.Response(
            version: "1", protocol: "p", uptimeSeconds: 9, services: ["a", "b"], maxFrameSize: 4,
            maxConcurrentStreams: 5)
        #expect(try ServerInfo.Response(wire: info.encoded()) == info)
        #expect(try CancelMessage(wire: CancelMessage(reason: "bye").encoded()) == CancelMessage(reason: "bye"))
    }
}

@Suite("StatusCode")
struct StatusCodeTests {
    @Test(
        "Names of gRPC's codes",
        arguments: zip(
            StatusCode.all,
            [
                "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
            ]))
    func names(code: StatusCode, name: String) {
        #expect(code.description == name)
    }

    @Test("Codes outside 0-16 survive", arguments: [-1, 17, 100] as [Int32])
    func unknownCodes(raw: Int32) throws {
        let response = ResponseEnvelope(code: StatusCode(rawValue: raw), message: "")
        #expect(try ResponseEnvelope(wire: response.encoded()).code.rawValue == raw)
    }
}
