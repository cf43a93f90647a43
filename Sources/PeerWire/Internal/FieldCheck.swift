import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One linear pass over a message's raw bytes, driven by protobuf-c's descriptors, that applies
/// the ``WireLimits`` protobuf-c cannot: it copies strings into NUL-terminated C strings (so a
/// NUL byte cuts them) and bounds no field but by the frame.
///
/// It runs before protobuf-c unpacks, so nothing is allocated for bytes it refuses. It checks
/// every length against what is left; a malformation it meets is a decoding error, like one
/// protobuf-c meets. Each byte is visited once (sub-messages are walked in place, strings scanned
/// with `memchr`), and nothing is allocated unless a field is refused.
struct FieldCheck {
    /// A top-level field whose bytes are not limited: the envelope's payload, which is a whole
    /// message checked when it is decoded.
    let exemptField: UInt32?
    /// A top-level repeated field whose items, encoded, count together as one field (the
    /// envelope's metadata: protobuf-c allocates for each item).
    let boundedField: (number: UInt32, name: String)?

    /// Sub-messages nest only as deep as the schema, which is not recursive; this bounds the
    /// recursion whatever the descriptors say.
    private static let maxDepth = 32

    enum Malformed: Error { case malformed }

    func check(
        _ bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws {
        try check(bytes, descriptor: descriptor, depth: 0)
    }

    private func check(
        _ bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
    ) throws {
        guard depth < Self.maxDepth else { throw Malformed.malformed }
        // Items seen per repeated field of this message, indexed like the descriptor's fields; on
        // the stack, so a message without repeated fields costs nothing more.
        let fieldCount = Int(descriptor.pointee.n_fields)
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(fieldCount, 1)) { items in
            items.initialize(repeating: 0)
            try check(bytes, descriptor: descriptor, depth: depth, items: items)
        }
    }

    private func check(
        _ bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int,
        items: UnsafeMutableBufferPointer<Int>
    ) throws {
        let bounded = depth == 0 ? boundedField?.number : nil
        var offset = 0
        // protobuf-c keeps every unknown field, one allocation each, so a message's unknown
        // fields, encoded, count together as one field under the limit: a newer client's few
        // extra fields pass, a flood of tiny ones does not.
        var unknownBytes = 0
        var boundedBytes = 0
        while offset < bytes.count {
            let start = offset
            let key = try Self.varint(bytes, &offset)
            // Field numbers are at most 2^29 - 1; a larger key names no field.
            let number = UInt32(exactly: key >> 3)
            let field = number.flatMap { protobuf_c_message_descriptor_get_field(descriptor, $0) }
            var count = 1
            switch key & 7 {
            case 0: _ = try Self.varint(bytes, &offset)
            case 1: try Self.skip(8, bytes, &offset)
            case 5: try Self.skip(4, bytes, &offset)
            case 2:
                guard let length = Int(exactly: try Self.varint(bytes, &offset)), length <= bytes.count - offset
                else { throw Malformed.malformed }
                let value = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
                offset += length
                if let field { count = try check(value, field: field, in: descriptor, depth: depth) }
            default: throw Malformed.malformed  // groups (3, 4) and 6, 7: protobuf-c has none
            }
            if let field, field.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                let index = field - descriptor.pointee.fields
                items[index] += count
                if items[index] > Self.repeatedLimitFloor, items[index] > WireLimits.current.maxRepeatedItems {
                    throw Self.refusal(field, in: descriptor, .tooManyItems(limit: WireLimits.current.maxRepeatedItems))
                }
            }
            if field == nil {
                unknownBytes += offset - start
            } else if let bounded, number == bounded {
                boundedBytes += offset - start
            }
        }
        if let limit = Self.exceeded(by: unknownBytes) {
            throw WireFieldError(
                field: "\(String(protobufC: descriptor.pointee.name)) unknown fields",
                problem: .tooLong(byteCount: unknownBytes, limit: limit))
        }
        if let limit = Self.exceeded(by: boundedBytes), let name = boundedField?.name {
            throw WireFieldError(
                field: "\(String(protobufC: descriptor.pointee.name)).\(name)",
                problem: .tooLong(byteCount: boundedBytes, limit: limit))
        }
    }

    /// Checks one length-delimited value of `field`; returns how many items it holds (more than one
    /// only for a packed repeated scalar).
    private func check(
        _ value: UnsafeRawBufferPointer, field: UnsafePointer<ProtobufCFieldDescriptor>,
        in descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
    ) throws -> Int {
        switch field.pointee.type {
        case PROTOBUF_C_TYPE_STRING:
            if !(depth == 0 && field.pointee.id == exemptField), let limit = Self.exceeded(by: value.count) {
                throw Self.refusal(field, in: descriptor, .tooLong(byteCount: value.count, limit: limit))
            }
            if let base = value.baseAddress, memchr(base, 0, value.count) != nil {
                throw Self.refusal(field, in: descriptor, .nulByte)
            }
        case PROTOBUF_C_TYPE_BYTES:
            if !(depth == 0 && field.pointee.id == exemptField), let limit = Self.exceeded(by: value.count) {
                throw Self.refusal(field, in: descriptor, .tooLong(byteCount: value.count, limit: limit))
            }
        case PROTOBUF_C_TYPE_MESSAGE:
            guard let sub = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) else {
                return 1
            }
            try check(value, descriptor: sub, depth: depth + 1)
        case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FLOAT:
            return value.count / 4  // packed
        case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_DOUBLE:
            return value.count / 8  // packed
        default:
            // Packed varints: one item ends at each byte without the continuation bit.
            return value.reduce(0) { $0 + ($1 & 0x80 == 0 ? 1 : 0) }
        }
        return 1
    }

    /// Below it no repeated field is refused, so short lists pass without reading the task-local
    /// limits (every limit is at least `maxRepeatedItemsRange.lowerBound`).
    private static let repeatedLimitFloor = WireLimits.maxRepeatedItemsRange.lowerBound

    /// The limit in force when `byteCount` exceeds it, else nil. Every limit is at least
    /// `maxFieldBytesRange.lowerBound`, so shorter fields pass without reading the task-local
    /// limits: the common small request pays nothing for it.
    @inline(__always)
    private static func exceeded(by byteCount: Int) -> Int? {
        guard byteCount > WireLimits.maxFieldBytesRange.lowerBound else { return nil }
        let limit = WireLimits.current.maxFieldBytes
        return byteCount > limit ? limit : nil
    }

    private static func refusal(
        _ field: UnsafePointer<ProtobufCFieldDescriptor>, in descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ problem: WireFieldError.Problem
    ) -> WireFieldError {
        let message = String(protobufC: descriptor.pointee.name)
        let name = String(protobufC: field.pointee.name)
        return WireFieldError(field: "\(message).\(name)", problem: problem)
    }

    private static func varint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw Malformed.malformed
    }

    private static func skip(_ count: Int, _ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws {
        guard count >= 0, count <= bytes.count - offset else { throw Malformed.malformed }
        offset += count
    }
}
