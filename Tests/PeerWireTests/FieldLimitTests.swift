import NIOCore
import PeerWire
import Testing

/// Issue 8, finding 14: protobuf-c gives strings to Swift as C strings, cut at the first NUL
/// byte. Every decode refuses a string with a NUL byte and a string or bytes field over the
/// limit, naming the field; nothing else changes.
@Suite("Field limits: NUL bytes and --max-field-bytes on every decode")
struct FieldLimitTests {
    static let peerID = "16Uiu2HAmVFXtAfSj4EiR7mL2KvL4EE2wztuQgUSBoj2Jx2KeXFLN"

    @Test("A NUL in the envelope's method or service is refused, naming the field")
    func envelopeNul() throws {
        let method = Proto.message([
            Proto.string(1, GrpcHealthV1.Health.serviceName), Proto.string(2, "Check\0evil"),
        ])
        #expect(throws: WireFieldError(field: "ttrpc.Request.method", problem: .nulByte)) {
            try RequestEnvelope(wire: method)
        }
        let service = Proto.message([Proto.string(1, "grpc.health\0.v1.Health"), Proto.string(2, "Check")])
        #expect(throws: WireFieldError(field: "ttrpc.Request.service", problem: .nulByte)) {
            try RequestEnvelope(wire: service)
        }
    }

    @Test("A NUL in metadata (a repeated sub-message) is refused, naming the sub-message's field")
    func metadataNul() throws {
        let pair = Proto.message([Proto.string(1, "k\0"), Proto.string(2, "v")])
        let envelope = Proto.message([
            Proto.string(1, "s"), Proto.string(2, "m"), Proto.bytes(5, Proto.bytes(pair)),
        ])
        #expect(throws: WireFieldError(field: "ttrpc.KeyValue.key", problem: .nulByte)) {
            try RequestEnvelope(wire: envelope)
        }
    }

    @Test(
        "Request strings with a NUL are refused: AddPeer's address, RemovePeer's and GetPeer's peer id",
        arguments: [
            ("waku.peermanager.v1.AddPeerRequest.address", "/ip4/1.2.3.4/tcp/60000/p2p/\(peerID)\0junk"),
            ("waku.peermanager.v1.RemovePeerRequest.peer_id", "\(peerID)\0junk"),
            ("waku.peermanager.v1.GetPeerRequest.peer_id", "\0"),
        ])
    func requestNul(field: String, value: String) throws {
        let bytes = Proto.message([Proto.string(1, value)])
        let error = WireFieldError(field: field, problem: .nulByte)
        switch field {
        case _ where field.hasPrefix("waku.peermanager.v1.AddPeerRequest"):
            #expect(throws: error) { try PeerManagerV1.AddPeerRequest(wire: bytes) }
        case _ where field.hasPrefix("waku.peermanager.v1.RemovePeerRequest"):
            #expect(throws: error) { try PeerManagerV1.RemovePeerRequest(wire: bytes) }
        default:
            #expect(throws: error) { try PeerManagerV1.GetPeerRequest(wire: bytes) }
        }
    }

    @Test("The envelope's metadata counts as one field: a few pairs pass, a flood is refused before unpacking")
    func metadataBound() throws {
        let pairs = (0..<10).map { RequestEnvelope.KeyValue(key: "key-\($0)", value: "value") }
        let envelope = RequestEnvelope(service: "s", method: "m", metadata: pairs)
        #expect(try RequestEnvelope(wire: envelope.encoded()) == envelope)
        // 2 million empty entries in 4 MiB: refused in the pass over the raw bytes (by their count
        // first, --max-repeated-items), not unpacked one by one.
        var flood: [UInt8] = Proto.string(1, "s") + Proto.string(2, "m")
        flood.reserveCapacity(4 << 20)
        while flood.count + 2 <= 4 << 20 { flood += [0x2A, 0] }
        #expect(
            throws: WireFieldError(
                field: "ttrpc.Request.metadata", problem: .tooManyItems(limit: WireLimits.defaultMaxRepeatedItems))
        ) { try RequestEnvelope(wire: ByteBuffer(bytes: flood)) }
        // 3000 empty entries: under the item limit, over the byte limit for the entries together.
        var entries: [UInt8] = Proto.string(1, "s") + Proto.string(2, "m")
        for _ in 0..<3000 { entries += [0x2A, 0] }
        #expect(
            throws: WireFieldError(
                field: "ttrpc.Request.metadata",
                problem: .tooLong(byteCount: 6000, limit: WireLimits.defaultMaxFieldBytes))
        ) { try RequestEnvelope(wire: ByteBuffer(bytes: entries)) }
        // Just over the limit: 4098 bytes of entries.
        let overLimit = Proto.message([
            Proto.string(1, "s"),
            Proto.bytes(5, Proto.bytes(Proto.message([Proto.string(1, String(repeating: "k", count: 4092))]))),
        ])
        #expect(throws: WireFieldError.self) { try RequestEnvelope(wire: overLimit) }
    }

    @Test("A NUL inside a host hello's snapshot (repeated sub-messages) names the inner field")
    func hostEventNul() throws {
        let opened = Proto.message([Proto.string(2, Self.peerID), Proto.string(4, "/ip4/1.2.3.4\0/tcp/1")])
        let hello = Proto.message([Proto.string(1, Self.peerID), Proto.bytes(7, Proto.bytes(opened))])
        let event = Proto.message([Proto.bytes(1, Proto.bytes(hello))])
        #expect(
            throws: WireFieldError(field: "waku.peermanager.v1.ConnectionOpened.observed_address", problem: .nulByte)
        ) { try PeerManagerV1.HostEvent(wire: event) }
        // One NUL in the third of three listen addresses (a repeated string).
        let listen = Proto.message([
            Proto.string(1, Self.peerID), Proto.string(2, "/ip4/1.1.1.1/tcp/1"), Proto.string(2, "/ip4/2.2.2.2/tcp/1"),
            Proto.string(2, "/ip4/3.3.3.3/tcp/1\0"),
        ])
        #expect(throws: WireFieldError(field: "waku.peermanager.v1.HostHello.listen_addresses", problem: .nulByte)) {
            try PeerManagerV1.HostEvent(wire: Proto.message([Proto.bytes(1, Proto.bytes(listen))]))
        }
    }

    @Test("A string or bytes field over the limit is refused with its length; at the limit it is accepted")
    func length() throws {
        let limit = WireLimits.defaultMaxFieldBytes
        let atLimit = String(repeating: "a", count: limit)
        #expect(
            try PeerManagerV1.RemovePeerRequest(wire: Proto.message([Proto.string(1, atLimit)])).peerID == atLimit)
        let over = Proto.message([Proto.string(1, atLimit + "a")])
        #expect(
            throws: WireFieldError(
                field: "waku.peermanager.v1.RemovePeerRequest.peer_id",
                problem: .tooLong(byteCount: limit + 1, limit: limit))
        ) { try PeerManagerV1.RemovePeerRequest(wire: over) }
        // Bytes too: an identified peer's public key, inside a host event.
        let identified = Proto.message([
            Proto.string(1, Self.peerID), Proto.bytes(5, [UInt8](repeating: 8, count: limit + 10)),
        ])
        #expect(
            throws: WireFieldError(
                field: "waku.peermanager.v1.Identified.public_key",
                problem: .tooLong(byteCount: limit + 10, limit: limit))
        ) { try PeerManagerV1.HostEvent(wire: Proto.message([Proto.bytes(6, Proto.bytes(identified))])) }
    }

    @Test("The limit comes from the caller: explicit limits or the task-local bound around the decode")
    func configuredLimit() throws {
        let long = Proto.message([Proto.string(1, String(repeating: "p", count: 6000))])
        #expect(throws: WireFieldError.self) { try PeerManagerV1.GetPeerRequest(wire: long) }
        let wide = WireLimits(maxFieldBytes: 8192)
        #expect(try PeerManagerV1.GetPeerRequest(wire: long, limits: wide).peerID.utf8.count == 6000)
        let decoded = try WireLimits.$current.withValue(wide) { () throws -> PeerManagerV1.GetPeerRequest in
            try PeerManagerV1.GetPeerRequest(wire: long)
        }
        #expect(decoded.peerID.utf8.count == 6000)
        let narrow = WireLimits(maxFieldBytes: 512)
        #expect(
            throws: WireFieldError(
                field: "waku.peermanager.v1.GetPeerRequest.peer_id", problem: .tooLong(byteCount: 600, limit: 512))
        ) {
            try PeerManagerV1.GetPeerRequest(
                wire: Proto.message([Proto.string(1, String(repeating: "p", count: 600))]), limits: narrow)
        }
    }

    @Test("Large legitimate messages pass: the envelope's payload, a host hello with a big snapshot")
    func legitimate() throws {
        let envelope = RequestEnvelope(
            service: PeerManagerV1.Host.serviceName, method: "Attach", payload: ByteBuffer(repeating: 7, count: 1 << 20)
        )
        #expect(try RequestEnvelope(wire: envelope.encoded()) == envelope)
        let hello = PeerManagerV1.HostHello(
            peerID: Self.peerID, listenAddresses: (0..<50).map { "/ip4/10.0.0.\($0)/tcp/60000" },
            connections: (0..<2000).map {
                PeerManagerV1.ConnectionOpened(
                    connectionID: UInt64($0), peerID: Self.peerID, observedAddress: "/ip4/1.2.3.4/tcp/\($0)")
            })
        let event = PeerManagerV1.HostEvent(event: .hello(hello))
        #expect(event.encoded().readableBytes > 10 * WireLimits.defaultMaxFieldBytes)
        #expect(try PeerManagerV1.HostEvent(wire: event.encoded()) == event)
        // An ENR-sized address and a maximal multiaddr.
        let enr = "enr:" + String(repeating: "A", count: 420)
        let add = PeerManagerV1.AddPeerRequest(source: .address(enr))
        #expect(try PeerManagerV1.AddPeerRequest(wire: add.encoded()) == add)
    }

    @Test("A few unknown fields pass unchecked (nothing reads them); together they count as one field")
    func unknownFields() throws {
        let few = Proto.message([Proto.string(1, "x"), Proto.string(99, "junk\0"), Proto.bytes(98, [1, 2, 3])])
        #expect(try PeerManagerV1.GetPeerRequest(wire: few).peerID == "x")
        // protobuf-c would keep each of 2 million tiny unknown fields as an allocation.
        var flood = Proto.string(1, "x")
        flood.reserveCapacity(4 << 20)
        while flood.count + 2 <= 4 << 20 { flood += [0x10, 0] }  // field 2, varint 0
        #expect(throws: WireFieldError.self) { try PeerManagerV1.GetPeerRequest(wire: ByteBuffer(bytes: flood)) }
        let big = Proto.message([Proto.string(1, "x"), Proto.bytes(98, [UInt8](repeating: 0, count: 5000))])
        #expect(
            throws: WireFieldError(
                field: "waku.peermanager.v1.GetPeerRequest unknown fields",
                problem: .tooLong(byteCount: 5004, limit: WireLimits.defaultMaxFieldBytes))
        ) { try PeerManagerV1.GetPeerRequest(wire: big) }
    }

    @Test("Packed repeated scalars are skipped whole")
    func packed() throws {
        let shards = PeerManagerV1.RelayShards(clusterID: 1, shardIDs: Array(0..<2000))
        #expect(try PeerManagerV1.RelayShards(wire: shards.encoded()) == shards)
    }

    @Test("Bytes protobuf-c refuses stay a decoding error (INTERNAL), not a field error")
    func malformed() {
        // Field 1 (string) claims 5 bytes, 2 follow.
        let truncated = ByteBuffer(bytes: [0x0A, 5, 0x41, 0x00])
        #expect(throws: WireDecodingError.self) { try PeerManagerV1.GetPeerRequest(wire: truncated) }
    }

    @Test("Replies are not limited: a client reads what peerd sends")
    func repliesUnchecked() throws {
        let long = String(repeating: "m", count: 10_000)
        let response = ResponseEnvelope(code: .internal, message: long)
        #expect(try ResponseEnvelope(wire: response.encoded()).message == long)
    }
}

/// Hand-assembled protobuf: our encoder (like protobuf-c's) cannot put a NUL into a string.
enum Proto {
    static func varint(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func bytes(_ field: Int, _ value: [UInt8]) -> [UInt8] {
        varint(field << 3 | 2) + varint(value.count) + value
    }

    static func string(_ field: Int, _ value: String) -> [UInt8] { bytes(field, Array(value.utf8)) }

    static func bytes(_ message: ByteBuffer) -> [UInt8] { Array(message.readableBytesView) }

    static func message(_ fields: [[UInt8]]) -> ByteBuffer { ByteBuffer(bytes: fields.flatMap { $0 }) }
}
