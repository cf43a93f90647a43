import NIOCore
import PeerWire
import Testing

@testable import PeerClient

/// The client's own envelope reader against protobuf-c's unpack (``ResponseEnvelope/init(wire:)``):
/// the same bytes give the same envelope, or both are refused.
@Suite("PeerClient: Response envelope reader")
struct ResponseEnvelopeReaderTests {
    /// protobuf-c's reading of `bytes`, nil when it refuses them.
    private func protobufC(_ bytes: [UInt8]) -> ResponseEnvelope? {
        try? ResponseEnvelope(wire: ByteBuffer(bytes: bytes))
    }

    private func reader(_ bytes: [UInt8]) -> ResponseEnvelope? {
        try? ResponseEnvelopeReader.read(ByteBuffer(bytes: bytes))
    }

    static let envelopes: [ResponseEnvelope] = [
        ResponseEnvelope(),
        ResponseEnvelope(payload: ByteBuffer(bytes: [0x0A, 0x03, 0x61, 0x62, 0x63])),
        ResponseEnvelope(payload: ByteBuffer(repeating: 0x5A, count: 300)),
        ResponseEnvelope(payload: ByteBuffer(repeating: 0x01, count: 20_000)),
        ResponseEnvelope(code: .notFound, message: "no peer supports /vac/waku/store/2.0.0"),
        ResponseEnvelope(code: .unavailable, message: "héllo, wörld ✓"),
        ResponseEnvelope(code: StatusCode(rawValue: -3), message: "a negative code is ten bytes on the wire"),
        ResponseEnvelope(code: StatusCode(rawValue: .max), message: String(repeating: "x", count: 200)),
    ]

    @Test("Envelopes packed by protobuf-c read the same", arguments: envelopes)
    func sameAsProtobufC(envelope: ResponseEnvelope) throws {
        let bytes = Array(buffer: envelope.encoded())
        let read = try ResponseEnvelopeReader.read(ByteBuffer(bytes: bytes))
        #expect(read == envelope)
        #expect(read == protobufC(bytes))
    }

    @Test("Every truncation reads as protobuf-c reads it", arguments: envelopes)
    func truncations(envelope: ResponseEnvelope) {
        let bytes = Array(buffer: envelope.encoded())
        for count in 0..<min(bytes.count, 400) {
            let prefix = Array(bytes[..<count])
            #expect(reader(prefix) == protobufC(prefix), "first \(count) of \(bytes.count) bytes")
        }
    }

    /// Hand-made encodings: unknown fields of every wire type, repeated fields, a status sent
    /// twice (merged), wrong wire types, groups, field 0, a varint too long, a NUL in the text.
    @Test(
        "Odd encodings read as protobuf-c reads them",
        arguments: [
            // Unknown fields before and after: varint, 64-bit, length-delimited, 32-bit.
            [0x18, 0x96, 0x01, 0x21, 1, 2, 3, 4, 5, 6, 7, 8, 0x12, 0x01, 0x07, 0x2A, 0x02, 9, 9, 0x35, 1, 2, 3, 4],
            // Unknown fields inside the status (`details` is field 3).
            [0x0A, 0x0A, 0x08, 0x05, 0x1A, 0x02, 0x0A, 0x00, 0x12, 0x02, 0x68, 0x69],
            // The payload twice: the last wins.
            [0x12, 0x01, 0x01, 0x12, 0x02, 0x02, 0x03],
            // The status twice: merged as protobuf-c merges it (the later code, even absent; the
            // earlier text unless the later has one).
            [0x0A, 0x02, 0x08, 0x05, 0x0A, 0x03, 0x12, 0x01, 0x61],
            [0x0A, 0x03, 0x12, 0x01, 0x61, 0x0A, 0x02, 0x08, 0x07],
            [0x0A, 0x05, 0x08, 0x05, 0x12, 0x01, 0x61, 0x0A, 0x03, 0x12, 0x01, 0x62],
            // Wrong wire types for known fields.
            [0x08, 0x01],
            [0x10, 0x01],
            [0x0A, 0x02, 0x0A, 0x00],
            [0x0A, 0x02, 0x10, 0x01],
            // Groups, unknown and undefined wire types.
            [0x1B, 0x1C],
            [0x1E, 0x00],
            [0x1F, 0x00],
            // Field number 0.
            [0x00, 0x01],
            [0x02, 0x00],
            // A varint of 11 bytes.
            [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
            // A length past the end.
            [0x12, 0x05, 0x01],
            [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
            // A NUL in the message: the text ends there, as protobuf-c's C string does.
            [0x0A, 0x06, 0x12, 0x04, 0x61, 0x00, 0x62, 0x63],
            // Invalid UTF-8, repaired alike.
            [0x0A, 0x04, 0x12, 0x02, 0xC3, 0x28],
        ] as [[UInt8]])
    func oddEncodings(bytes: [UInt8]) {
        #expect(reader(bytes) == protobufC(bytes))
    }

    @Test("The payload is a slice of the frame, read from its reader index")
    func payloadFromReaderIndex() throws {
        let envelope = ResponseEnvelope(payload: ByteBuffer(bytes: [1, 2, 3]))
        var frame = ByteBuffer(bytes: [0xEE, 0xEE])
        frame.writeImmutableBuffer(envelope.encoded())
        frame.moveReaderIndex(forwardBy: 2)
        #expect(try ResponseEnvelopeReader.read(frame) == envelope)
    }
}
