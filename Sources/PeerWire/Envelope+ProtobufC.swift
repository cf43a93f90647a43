import CProtobufC
import NIOCore
import PeerdProtoC

extension RequestEnvelope: WireMessage {
    public static let protobufName = "ttrpc.Request"

    /// The number of `payload`, the one field whose length is not limited: it holds the whole
    /// request message, whose own fields are checked when the method decodes it.
    static let payloadField: UInt32 = 3
    /// `metadata`: its entries, encoded, count as one field under the limit (as gRPC bounds a
    /// call's metadata by its total size). Checked before protobuf-c unpacks: a 4 MiB envelope of
    /// empty entries is 2 million allocations (0.45 s and 260 MB measured) otherwise.
    static let metadataField = (number: UInt32(5), name: "metadata")

    public init(wire buffer: ByteBuffer) throws {
        self = try buffer.unpackProtobufC(
            Self.protobufName, descriptor: ttrpc__request__descriptor, unpack: ttrpc__request__unpack,
            free: ttrpc__request__free_unpacked,
            exemptField: Self.payloadField, boundedField: Self.metadataField
        ) { request in
            RequestEnvelope(
                service: String(protobufC: request.service),
                method: String(protobufC: request.method),
                payload: ByteBuffer(protobufC: request.payload),
                timeoutNanos: request.timeout_nano,
                metadata: (0..<request.n_metadata).compactMap { index in
                    // protobuf-c fills every slot of a repeated message field; a NULL would be skipped.
                    guard let pair = request.metadata?[index]?.pointee else { return nil }
                    return KeyValue(key: String(protobufC: pair.key), value: String(protobufC: pair.value))
                })
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        PackArena.with { arena in
            var request = Ttrpc__Request()
            ttrpc__request__init(&request)
            request.service = arena.cString(service)
            request.method = arena.cString(method)
            request.payload = arena.binary(payload)
            request.timeout_nano = timeoutNanos
            request.n_metadata = metadata.count
            let pairs = arena.allocate(UnsafeMutablePointer<Ttrpc__KeyValue>?.self, count: metadata.count)
            for (index, pair) in metadata.enumerated() {
                pairs[index] = arena.message(ttrpc__key_value__init) {
                    $0.key = arena.cString(pair.key)
                    $0.value = arena.cString(pair.value)
                }
            }
            request.metadata = pairs
            buffer.writeProtobufC(size: ttrpc__request__get_packed_size(&request)) {
                ttrpc__request__pack(&request, $0)
            }
        }
    }
}

extension ResponseEnvelope: WireMessage {
    public static let protobufName = "ttrpc.Response"

    public init(wire buffer: ByteBuffer) throws {
        // Replies are read by clients, from peerd: not limited, so a client reads whatever peerd's
        // configured limits let through. (peerd's server never decodes a reply.)
        self = try buffer.unpackProtobufC(
            Self.protobufName, descriptor: ttrpc__response__descriptor, unpack: ttrpc__response__unpack,
            free: ttrpc__response__free_unpacked,
            checked: false
        ) { response in
            // An absent status means OK, as in Go's ttrpc client.
            let status = response.status?.pointee
            return ResponseEnvelope(
                code: StatusCode(rawValue: status?.code ?? 0),
                message: String(protobufC: status?.message),
                payload: ByteBuffer(protobufC: response.payload))
        }
    }

    /// Packs without copying anything first: every reply goes through here, so the C structs
    /// live on the stack and point straight at the message's and the payload's own bytes, which
    /// outlive the pack call (protobuf-c's pack only reads them).
    public func encode(into buffer: inout ByteBuffer) {
        var status = Google__Rpc__Status()
        google__rpc__status__init(&status)
        status.code = code.rawValue
        var response = Ttrpc__Response()
        ttrpc__response__init(&response)
        message.withCString { text in
            // protobuf-c declares the field `char *` but never writes through it.
            status.message = UnsafeMutablePointer(mutating: text)
            withUnsafeMutablePointer(to: &status) { status in
                response.status = status
                payload.withUnsafeReadableBytes { bytes in
                    response.payload = ProtobufCBinaryData(
                        len: bytes.count,
                        data: UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
                    )
                    buffer.writeProtobufC(size: ttrpc__response__get_packed_size(&response)) {
                        ttrpc__response__pack(&response, $0)
                    }
                }
            }
        }
    }
}

/// The payload of peerd's Cancel frame (message type 0x10).
public struct CancelMessage: Hashable, Sendable, WireMessage {
    public static let protobufName = "ttrpc.peerd.Cancel"
    public var reason: String

    public init(reason: String = "") { self.reason = reason }

    public init(wire buffer: ByteBuffer) throws {
        self = try buffer.unpackProtobufC(
            Self.protobufName, descriptor: ttrpc__peerd__cancel__descriptor, unpack: ttrpc__peerd__cancel__unpack,
            free: ttrpc__peerd__cancel__free_unpacked
        ) { CancelMessage(reason: String(protobufC: $0.reason)) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        PackArena.with { arena in
            var cancel = Ttrpc__Peerd__Cancel()
            ttrpc__peerd__cancel__init(&cancel)
            cancel.reason = arena.cString(reason)
            buffer.writeProtobufC(size: ttrpc__peerd__cancel__get_packed_size(&cancel)) {
                ttrpc__peerd__cancel__pack(&cancel, $0)
            }
        }
    }
}
