import CProtobufC
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The one place where Swift meets protobuf-c's pointers. Message files build C structs with a
// `PackArena` and read unpacked trees with `ByteBuffer.unpackProtobufC`; nothing else in peerd
// touches protobuf-c memory.

/// Memory for one pack call: C strings, binaries and sub-messages, all freed together.
///
/// protobuf-c's pack only reads the struct tree, so everything it points to may live in one
/// arena that is dropped right after the bytes are written.
final class PackArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    private init() {}

    /// Runs `body` with a fresh arena and frees every allocation afterwards.
    static func with<R>(_ body: (PackArena) throws -> R) rethrows -> R {
        let arena = PackArena()
        defer { arena.freeAll() }
        return try body(arena)
    }

    private func freeAll() {
        for block in blocks { free(block) }
        blocks.removeAll()
    }

    private func raw(byteCount: Int) -> UnsafeMutableRawPointer {
        // malloc(0) may return NULL; protobuf-c wants a valid pointer even for empty values.
        guard let block = malloc(max(byteCount, 1)) else { fatalError("out of memory packing a message") }
        blocks.append(block)
        return block
    }

    /// A NUL-terminated copy of `string`: its UTF-8 copied once, straight from the string's own
    /// storage (a native string's needs no copy first; a temporary array cost two allocations
    /// more per string, on every message packed).
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let block = raw(byteCount: utf8.count + 1)
            if let base = utf8.baseAddress { block.copyMemory(from: base, byteCount: utf8.count) }
            block.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return block.bindMemory(to: CChar.self, capacity: utf8.count + 1)
        }
    }

    /// An array of C strings (a `repeated string` field).
    func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
        for (index, string) in strings.enumerated() { array[index] = cString(string) }
        return array
    }

    /// A copy of `buffer`'s readable bytes as a `bytes` field.
    func binary(_ buffer: ByteBuffer) -> ProtobufCBinaryData {
        let count = buffer.readableBytes
        let block = raw(byteCount: count).bindMemory(to: UInt8.self, capacity: max(count, 1))
        buffer.withUnsafeReadableBytes { bytes in
            if let base = bytes.baseAddress, count > 0 {
                UnsafeMutableRawPointer(block).copyMemory(from: base, byteCount: count)
            }
        }
        return ProtobufCBinaryData(len: count, data: block)
    }

    /// A copy of `bytes` as a `bytes` field.
    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let block = raw(byteCount: bytes.count).bindMemory(to: UInt8.self, capacity: max(bytes.count, 1))
        block.update(from: bytes, count: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: block)
    }

    /// A C array holding `values` (a repeated field).
    func array<T>(of type: T.Type, _ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: values.count)
        pointer.initialize(from: values, count: values.count)
        return pointer
    }

    /// `value` copied into the arena (a sub-message field).
    func pointer<T>(to value: T) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: 1)
        pointer.initialize(to: value)
        return pointer
    }

    /// Uninitialized storage for `count` values (sub-messages, pointer arrays).
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        raw(byteCount: MemoryLayout<T>.stride * max(count, 1)).bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A sub-message initialized by its generated `init` function, then by `configure`.
    func message<T>(
        _ initialize: (UnsafeMutablePointer<T>?) -> Void, _ configure: (inout T) -> Void = { _ in }
    ) -> UnsafeMutablePointer<T> {
        let pointer = allocate(T.self, count: 1)
        initialize(pointer)
        configure(&pointer.pointee)
        return pointer
    }
}

/// A serialized message that protobuf-c refused to parse.
public struct WireDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The protobuf message name, e.g. `ttrpc.Request`.
    public var messageName: String
    public var byteCount: Int

    public init(messageName: String, byteCount: Int) {
        self.messageName = messageName
        self.byteCount = byteCount
    }

    public var description: String { "cannot decode \(messageName) from \(byteCount) bytes" }
}

/// A byte that stands in for the data pointer of an empty buffer: protobuf-c reads nothing from
/// it, but some of its code paths assume a non-NULL pointer.
nonisolated(unsafe) private var emptyInput: UInt8 = 0

extension ByteBuffer {
    /// Checks the readable bytes against ``WireLimits/current`` (see `FieldCheck`), unpacks them
    /// with a generated `unpack`, hands the tree to `body`, then frees it with the matching
    /// generated `free_unpacked` (same default allocator).
    ///
    /// The check comes first: protobuf-c allocates for every string, sub-message and unknown
    /// field, so bytes are known to be within the limits before anything is allocated for them.
    /// Bytes that are not well formed are a `WireDecodingError`; a field the limits refuse is a
    /// `WireFieldError`. Every message decoded in peerd comes through here, so no string reaches
    /// Swift cut at a NUL byte and none is longer than the limit.
    ///
    /// - Parameters:
    ///   - descriptor: the message's protobuf-c descriptor, which drives the check.
    ///   - exemptField: a top-level field whose length is not limited (a nested serialized message).
    ///   - boundedField: a top-level repeated field whose items, encoded, are limited together as
    ///     one field.
    ///   - checked: false only for messages peerd's server never decodes (replies, read by clients).
    func unpackProtobufC<C, R>(
        _ messageName: String,
        descriptor: ProtobufCMessageDescriptor,
        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<C>?,
        free: (UnsafeMutablePointer<C>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
        exemptField: UInt32? = nil, boundedField: (number: UInt32, name: String)? = nil, checked: Bool = true,
        _ body: (C) throws -> R
    ) throws -> R {
        let count = readableBytes
        return try withUnsafeReadableBytes { bytes in
            if checked, count > 0 {
                do {
                    // The descriptor's own fields point at protobuf-c's static tables, so a copy
                    // of the top-level struct serves as well as the original.
                    try withUnsafePointer(to: descriptor) { descriptor in
                        try FieldCheck(exemptField: exemptField, boundedField: boundedField).check(
                            bytes, descriptor: descriptor)
                    }
                } catch is FieldCheck.Malformed {
                    throw WireDecodingError(messageName: messageName, byteCount: count)
                }
            }
            let tree: UnsafeMutablePointer<C>?
            if let base = bytes.baseAddress, count > 0 {
                tree = unpack(nil, count, base.assumingMemoryBound(to: UInt8.self))
            } else {
                tree = withUnsafePointer(to: &emptyInput) { unpack(nil, 0, $0) }
            }
            guard let tree else { throw WireDecodingError(messageName: messageName, byteCount: count) }
            defer { free(tree, nil) }
            return try body(tree.pointee)
        }
    }

    /// Appends a packed message: `size` bytes written by a generated `pack`.
    mutating func writeProtobufC(size: Int, pack: (UnsafeMutablePointer<UInt8>) -> Int) {
        guard size > 0 else { return }
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { bytes in
            guard let base = bytes.baseAddress else { return 0 }  // never: size > 0 bytes are writable
            let written = pack(base.assumingMemoryBound(to: UInt8.self))
            precondition(written == size, "protobuf-c packed \(written) bytes, expected \(size)")
            return written
        }
    }
}

extension String {
    /// A Swift string from a protobuf-c string field (NULL reads as "").
    init(protobufC pointer: UnsafePointer<CChar>?) {
        self = pointer.map { String(cString: $0) } ?? ""
    }
}

extension Array where Element == String {
    /// A `repeated string` field.
    init(protobufC pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int) {
        self = (0..<count).map { String(protobufC: pointer?[$0]) }
    }
}

extension Array where Element == UInt8 {
    /// A copy of a `bytes` field.
    init(protobufC binary: ProtobufCBinaryData) {
        self = binary.data == nil ? [] : Array(UnsafeBufferPointer(start: binary.data, count: binary.len))
    }
}

extension ByteBuffer {
    /// A copy of a `bytes` field.
    init(protobufC binary: ProtobufCBinaryData) {
        self = ByteBuffer(bytes: UnsafeRawBufferPointer(start: binary.data, count: binary.data == nil ? 0 : binary.len))
    }
}
