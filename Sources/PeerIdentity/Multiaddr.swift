/// A multiaddr such as `/ip4/1.2.3.4/tcp/60000/p2p/16Uiu2...`: a sequence of typed components.
///
/// Text and binary forms are both parsed strictly: an unknown protocol, a missing or malformed
/// value, or trailing bytes are refused with a ``ParseError`` naming the offending part. Two
/// multiaddrs are equal when their components are, which is when their binary forms are.
///
/// ```swift
/// let addr = try Multiaddr("/dns4/node-01.example.org/tcp/443/wss/p2p/16Uiu2HAm...")
/// addr.peerID            // the trailing /p2p peer id
/// addr.withoutPeerID     // /dns4/node-01.example.org/tcp/443/wss
/// ```
public struct Multiaddr: Hashable, Sendable, CustomStringConvertible {
    /// Why text or bytes are not a multiaddr peerd accepts.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The offending part: a `/name/value` step, a protocol name, or a binary code and offset
        /// (past 80 bytes only its start and length: it comes from clients).
        public var part: String
        /// What is wrong with it.
        public var reason: String

        public init(part: String, reason: String) {
            self.part = Excerpt.of(part)
            self.reason = reason
        }

        public var description: String { "invalid multiaddr part '\(part)': \(reason)" }
    }

    /// The components, in order.
    public let components: [MultiaddrComponent]

    /// The longest binary form accepted, the one bound on a multiaddr's size: nothing libp2p
    /// dials comes near it (a 255-byte dns name with a port, ws, a relay circuit and two peer ids
    /// stays under 400 bytes). Text is held to the same bound, through its binary form.
    public static let maxByteLength = 1024
    /// The longest text refused before it is split, so a client's megabyte costs nothing. Text
    /// can be up to 7 times its binary form (`/webrtc-direct` is a two-byte code), so every
    /// address within ``maxByteLength`` has text within this, and the two forms always convert
    /// into each other (the fuzzer found text and bytes limits that did not, 2048 against 1024).
    public static let maxTextLength = 8 * maxByteLength

    /// Wraps components as they are (an empty list is the empty multiaddr, with empty text).
    public init(components: [MultiaddrComponent]) {
        self.components = components
    }

    /// Parses the text form, `/name[/value]...`.
    ///
    /// - Throws: ``ParseError`` for an empty string, a missing leading `/`, text longer than
    ///   ``maxTextLength``, an empty step (`//` or a trailing `/`), an unknown protocol, or a
    ///   missing or malformed value.
    public init(_ text: String) throws(ParseError) {
        guard text.utf8.first == UInt8(ascii: "/") else {
            throw ParseError(part: text.isEmpty ? "(empty)" : text, reason: "a multiaddr starts with '/'")
        }
        guard text.utf8.count <= Self.maxTextLength else {
            throw ParseError(
                part: text, reason: "\(text.utf8.count) bytes, a multiaddr has at most \(Self.maxTextLength)")
        }
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        var components: [MultiaddrComponent] = []
        var iterator = parts.makeIterator()
        while let rawName = iterator.next() {
            let name = Substring(rawName)
            guard !name.isEmpty else {
                throw ParseError(part: text, reason: "empty protocol name (a '//' or a trailing '/')")
            }
            guard let proto = MultiaddrProtocol(name: name) else {
                throw ParseError(part: String(name), reason: "unknown protocol")
            }
            var value: Substring? = nil
            if proto.valueKind != .none {
                guard let rawValue = iterator.next(), !rawValue.isEmpty else {
                    throw ParseError(part: "/\(name)", reason: "missing value")
                }
                value = Substring(rawValue)
            }
            switch MultiaddrComponent.make(proto, text: value) {
            case .success(let component): components.append(component)
            case .failure(let reason):
                throw ParseError(part: "/\(name)/\(value ?? "")", reason: reason.text)
            }
        }
        guard !components.isEmpty else { throw ParseError(part: text, reason: "no components") }
        self.components = components
        let byteCount = bytes.count
        guard byteCount <= Self.maxByteLength else {
            throw ParseError(
                part: text, reason: "\(byteCount) bytes in binary form, a multiaddr has at most \(Self.maxByteLength)")
        }
    }

    /// Parses the binary form: `varint code, value` repeated, with varint-length-prefixed values
    /// for variable-size protocols (dns*, p2p, ...).
    public init(bytes: [UInt8]) throws(ParseError) {
        var components: [MultiaddrComponent] = []
        var offset = 0
        guard !bytes.isEmpty else { throw ParseError(part: "(empty)", reason: "no components") }
        guard bytes.count <= Self.maxByteLength else {
            throw ParseError(
                part: "(binary)", reason: "\(bytes.count) bytes, a multiaddr has at most \(Self.maxByteLength)")
        }
        while offset < bytes.count {
            let start = offset
            let code: UInt64
            do {
                code = try Varint.read(bytes, at: &offset)
            } catch {
                throw ParseError(part: "byte \(start)", reason: "malformed protocol code varint (\(error))")
            }
            guard let proto = MultiaddrProtocol(rawValue: code) else {
                throw ParseError(part: "code 0x\(String(code, radix: 16)) at byte \(start)", reason: "unknown protocol")
            }
            let length: Int
            switch proto.valueKind {
            case .none: length = 0
            case .ip4: length = 4
            case .ip6: length = 16
            case .port: length = 2
            case .onion3: length = 37
            case .text, .peerID:
                let lengthOffset = offset
                do {
                    let declared = try Varint.read(bytes, at: &offset)
                    guard declared <= UInt64(bytes.count - offset) else {
                        throw ParseError(
                            part: "/\(proto.name) at byte \(start)",
                            reason: "value length \(declared) runs past the end (\(bytes.count - offset) bytes left)")
                    }
                    length = Int(declared)
                } catch let error as ParseError {
                    throw error
                } catch {
                    throw ParseError(part: "/\(proto.name) at byte \(lengthOffset)", reason: "malformed length varint")
                }
            }
            guard length <= bytes.count - offset else {
                throw ParseError(
                    part: "/\(proto.name) at byte \(start)",
                    reason: "needs \(length) value bytes, \(bytes.count - offset) left")
            }
            let value = Array(bytes[offset..<(offset + length)])
            offset += length
            switch MultiaddrComponent.make(proto, bytes: value) {
            case .success(let component): components.append(component)
            case .failure(let reason):
                throw ParseError(part: "/\(proto.name) at byte \(start)", reason: reason.text)
            }
        }
        self.components = components
    }

    /// The canonical text form.
    public var description: String { components.map(\.description).joined() }

    /// The binary form.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for component in components {
            Varint.encode(component.protocol.code, into: &out)
            out.append(contentsOf: component.valueBytes)
        }
        return out
    }

    /// The IP address of the first ip4/ip6 component, as text (used by the colocation limit).
    ///
    /// For a connection's observed address this is the remote host's IP; for a dns address it is nil.
    public var ipAddress: String? {
        for component in components {
            switch component {
            case .ip4(let address): return address.description
            case .ip6(let address): return address.description
            default: continue
            }
        }
        return nil
    }

    /// The peer id of the trailing `/p2p` component; nil when the address does not end with one
    /// (a relay address `.../p2p/<relay>/p2p-circuit` names no destination peer).
    public var peerID: PeerID? {
        if case .p2p(let id) = components.last { id } else { nil }
    }

    /// This address without its trailing `/p2p` component (unchanged if there is none).
    public var withoutPeerID: Multiaddr {
        if case .p2p = components.last { Multiaddr(components: Array(components.dropLast())) } else { self }
    }

    /// This address ending with `/p2p/<id>`.
    ///
    /// - Throws: ``ParseError`` if it already ends with the `/p2p` of a different peer.
    public func appendingPeerID(_ id: PeerID) throws(ParseError) -> Multiaddr {
        if let existing = peerID {
            guard existing == id else {
                throw ParseError(part: "/p2p/\(existing)", reason: "does not match peer id \(id)")
            }
            return self
        }
        return appending(.p2p(id))
    }

    /// This address with `component` appended.
    public func appending(_ component: MultiaddrComponent) -> Multiaddr {
        Multiaddr(components: components + [component])
    }
}
