/// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B), strict form.
///
/// The decoder refuses every non-canonical encoding (a single byte below 0x80 wrapped in a
/// header, a long header for a short payload, length fields with leading zeros) because a record's
/// signature covers its bytes: two encodings of the same content must not both verify.
public enum RLP {
    /// One RLP item: a byte string or a list of items.
    public enum Item: Hashable, Sendable {
        case bytes([UInt8])
        case list([Item])

        /// The payload of a byte-string item; nil for a list.
        public var bytes: [UInt8]? {
            if case .bytes(let value) = self { value } else { nil }
        }
    }

    /// Why some bytes are not one canonical RLP item.
    public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Byte offset of the offending header.
        public var offset: Int
        public var reason: String
        public var description: String { "RLP at byte \(offset): \(reason)" }
    }

    // MARK: Encoding

    public static func encode(_ item: Item) -> [UInt8] {
        var out: [UInt8] = []
        encode(item, into: &out)
        return out
    }

    static func encode(_ item: Item, into out: inout [UInt8]) {
        switch item {
        case .bytes(let payload):
            if payload.count == 1 && payload[0] < 0x80 {
                out.append(payload[0])
            } else {
                appendHeader(payloadLength: payload.count, shortBase: 0x80, into: &out)
                out.append(contentsOf: payload)
            }
        case .list(let items):
            var payload: [UInt8] = []
            for element in items { encode(element, into: &payload) }
            appendHeader(payloadLength: payload.count, shortBase: 0xc0, into: &out)
            out.append(contentsOf: payload)
        }
    }

    /// The header of a list whose already-encoded elements are `payloadLength` bytes long.
    static func listHeader(payloadLength: Int) -> [UInt8] {
        var out: [UInt8] = []
        appendHeader(payloadLength: payloadLength, shortBase: 0xc0, into: &out)
        return out
    }

    private static func appendHeader(payloadLength: Int, shortBase: UInt8, into out: inout [UInt8]) {
        if payloadLength <= 55 {
            out.append(shortBase + UInt8(payloadLength))
        } else {
            let lengthBytes = bigEndianMinimal(UInt64(payloadLength))
            out.append(shortBase + 55 + UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes)
        }
    }

    /// Big-endian bytes without leading zeros (zero is the empty string), as RLP encodes integers.
    public static func bigEndianMinimal(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var value = value
        while value > 0 {
            out.insert(UInt8(truncatingIfNeeded: value), at: 0)
            value >>= 8
        }
        return out
    }

    // MARK: Decoding

    /// Decodes exactly one item spanning all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Item {
        var offset = 0
        let item = try readItem(bytes, at: &offset, end: bytes.count)
        guard offset == bytes.count else {
            throw DecodeError(offset: offset, reason: "\(bytes.count - offset) trailing bytes after the item")
        }
        return item
    }

    /// Decodes a top-level list spanning all of `bytes`, returning each element with the byte range
    /// of its encoding, so a signature can be checked over the original bytes.
    static func decodeList(_ bytes: [UInt8]) throws(DecodeError) -> [(item: Item, span: Range<Int>)] {
        var offset = 0
        let header = try readHeader(bytes, at: &offset, end: bytes.count)
        guard header.isList else { throw DecodeError(offset: 0, reason: "expected a list, found a byte string") }
        let end = offset + header.length
        guard end == bytes.count else {
            throw DecodeError(offset: end, reason: "\(bytes.count - end) trailing bytes after the list")
        }
        var elements: [(item: Item, span: Range<Int>)] = []
        while offset < end {
            let start = offset
            let item = try readItem(bytes, at: &offset, end: end)
            elements.append((item, start..<offset))
        }
        return elements
    }

    private struct Header {
        var isList: Bool
        var length: Int
    }

    /// Lists nested deeper than this are refused: decoding recurses once per level, and a
    /// megabyte of list headers must not exhaust the stack. ENR values nest two or three deep.
    public static let maxDepth = 32

    private static func readItem(
        _ bytes: [UInt8], at offset: inout Int, end: Int, depth: Int = 0
    ) throws(DecodeError) -> Item {
        let start = offset
        let header = try readHeader(bytes, at: &offset, end: end)
        let payloadEnd = offset + header.length
        if !header.isList {
            let payload = Array(bytes[offset..<payloadEnd])
            if header.length == 1 && bytes[start] == 0x81 && payload[0] < 0x80 {
                throw DecodeError(offset: start, reason: "single byte 0x\(Hex.encode(payload)) must not have a header")
            }
            offset = payloadEnd
            return .bytes(payload)
        }
        guard depth < maxDepth else {
            throw DecodeError(offset: start, reason: "lists nested more than \(maxDepth) deep")
        }
        var items: [Item] = []
        while offset < payloadEnd {
            items.append(try readItem(bytes, at: &offset, end: payloadEnd, depth: depth + 1))
        }
        return .list(items)
    }

    /// Reads a header and checks that its payload fits before `end`. A byte below 0x80 is its own
    /// one-byte payload: the offset is left on it so `readItem` can take it as the payload.
    private static func readHeader(_ bytes: [UInt8], at offset: inout Int, end: Int) throws(DecodeError) -> Header {
        let start = offset
        guard offset < end else { throw DecodeError(offset: offset, reason: "unexpected end of input") }
        let prefix = bytes[offset]
        let header: Header
        switch prefix {
        case 0x00...0x7f:
            return Header(isList: false, length: 1)
        case 0x80...0xb7:
            offset += 1
            header = Header(isList: false, length: Int(prefix - 0x80))
        case 0xc0...0xf7:
            offset += 1
            header = Header(isList: true, length: Int(prefix - 0xc0))
        default:
            let isList = prefix >= 0xf8
            let lengthOfLength = Int(prefix - (isList ? 0xf7 : 0xb7))
            offset += 1
            guard offset + lengthOfLength <= end else {
                throw DecodeError(offset: start, reason: "length field runs past the end")
            }
            guard bytes[offset] != 0 else {
                throw DecodeError(offset: start, reason: "length field has a leading zero")
            }
            guard lengthOfLength <= 4 else {
                throw DecodeError(offset: start, reason: "length field of \(lengthOfLength) bytes")
            }
            var length = 0
            for byte in bytes[offset..<(offset + lengthOfLength)] { length = length << 8 | Int(byte) }
            offset += lengthOfLength
            guard length > 55 else {
                throw DecodeError(offset: start, reason: "long header for a \(length)-byte payload")
            }
            header = Header(isList: isList, length: length)
        }
        guard header.length <= end - offset else {
            throw DecodeError(offset: start, reason: "payload of \(header.length) bytes runs past the end")
        }
        return header
    }
}
