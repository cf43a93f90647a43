import Testing

@testable import PeerIdentity

/// Megabyte inputs in every text and byte codec: refused (or parsed) in linear time, and no error
/// message repeats more than a short excerpt of them. These assert behaviour, not timing; before
/// the length bounds a 1M-character peer id took 11 s to refuse.
@Suite("Hostile identity input")
struct HostileInputTests {
    static let megabyte = 1 << 20

    /// An error's text stays short whatever the input's size.
    static func isShort(_ error: any Error) -> Bool { "\(error)".utf8.count < 400 }

    @Test("a 1M-character peer id is refused by its length, with a short message")
    func hugePeerID() {
        for filler in ["1", "z", "Q"] {
            let text = String(repeating: filler, count: Self.megabyte)
            #expect {
                try PeerID(text)
            } throws: { error in
                let text = "\(error)"
                return Self.isShort(error) && text.contains("\(Self.megabyte) characters")
                    && text.contains("at most \(PeerID.maxTextLength)")
            }
        }
    }

    @Test("the longest valid peer id text fits maxTextLength, one more character does not parse")
    func maxTextLengthIsExact() throws {
        // The largest identity multihash: a 42-byte protobuf key (an ecdsa key of 38 bytes of 0xff).
        let key = LibP2PPublicKey(type: .ecdsa, data: [UInt8](repeating: 0xff, count: 38))
        #expect(key.protobufEncoded.count == PeerID.maxInlineKeyLength)
        let id = PeerID(publicKey: key)
        #expect(id.multihash.count == PeerID.maxMultihashLength)
        #expect(id.description.utf8.count <= PeerID.maxTextLength)
        #expect(try PeerID(id.description) == id)
        #expect(PeerID.maxTextLength == 61)
        #expect(throws: PeerID.ParseError.self) { try PeerID("1" + id.description) }
    }

    @Test("base58 refuses text past its bound instead of working quadratically")
    func base58Bounded() {
        #expect(Base58.decode(String(repeating: "z", count: Self.megabyte)) == nil)
        let longest = String(repeating: "z", count: Base58.maxDecodableLength)
        #expect(Base58.decode(longest).map { Base58.encode($0) } == longest)
    }

    @Test("multihash bytes past the largest peer id are refused with a short message")
    func hugeMultihash() {
        var bytes: [UInt8] = [0x00, 0x80, 0x80, 0x40]
        bytes += [UInt8](repeating: 7, count: Self.megabyte)
        #expect {
            try PeerID(validatingMultihash: bytes)
        } throws: { error in
            Self.isShort(error) && "\(error)".contains("\(bytes.count) bytes")
        }
    }

    @Test("a 1M-character multiaddr value is refused with a short message", arguments: ["p2p", "dns4", "ip6", "tcp"])
    func hugeMultiaddrValue(proto: String) {
        let text = "/\(proto)/" + String(repeating: "a", count: Self.megabyte)
        #expect {
            try Multiaddr(text)
        } throws: { error in
            Self.isShort(error) && "\(error)".contains("bytes)")
        }
    }

    @Test("a multiaddr longer than maxTextLength is refused before it is split; the longest parses")
    func manyComponents() throws {
        let step = "/tcp/1"  // 3 bytes of binary
        let longest = String(repeating: step, count: Multiaddr.maxByteLength / 3)
        #expect(try Multiaddr(longest).components.count == Multiaddr.maxByteLength / 3)
        #expect {
            try Multiaddr(longest + step)
        } throws: { error in
            Self.isShort(error) && "\(error)".contains("in binary form")
        }
        let text = String(repeating: step, count: 200_000)
        #expect {
            try Multiaddr(text)
        } throws: { error in
            Self.isShort(error) && "\(error)".contains("\(text.utf8.count) bytes")
        }
        #expect {
            try Multiaddr(longest + "/nope")
        } throws: { Self.isShort($0) }
        // 17 bytes of binary each.
        let ip6 = try Multiaddr("/ip6/::").components[0]
        let binary = Multiaddr(components: Array(repeating: ip6, count: 100)).bytes
        #expect(binary.count > Multiaddr.maxByteLength)
        #expect(throws: Multiaddr.ParseError.self) { try Multiaddr(bytes: binary) }
        #expect(throws: Multiaddr.ParseError.self) { try Multiaddr(String(repeating: "/ip6/::", count: 100)) }
    }

    /// Found by the multiaddr fuzz targets: text and binary had bounds (2048 and 1024) that did
    /// not match, so an address accepted in one form was refused in the other. The binary form is
    /// now the one bound and text may be up to 8 times it.
    @Test(
        "every address within the bounds converts between text and binary both ways",
        arguments: [
            "/dccp/8481",  // 3 bytes, 10 characters
            "/webrtc-direct",  // 2 bytes, 14 characters: the widest text
            "/ip4/255.255.255.255",  // 5 bytes, 20 characters
            "/dns/e453/tls/sni/example.com",
        ])
    func textAndBinaryAgree(step: String) throws {
        let one = try Multiaddr(step).bytes.count
        let longest = try Multiaddr(String(repeating: step, count: Multiaddr.maxByteLength / one))
        #expect(longest.bytes.count <= Multiaddr.maxByteLength)
        #expect(longest.description.utf8.count <= Multiaddr.maxTextLength)
        #expect(try Multiaddr(longest.description) == longest)
        #expect(try Multiaddr(bytes: longest.bytes) == longest)
    }

    @Test("1M bytes of binary multiaddr are refused or parsed without trouble")
    func hugeMultiaddrBytes() {
        // 1M bytes of varint continuation: a malformed code.
        #expect(throws: Multiaddr.ParseError.self) {
            try Multiaddr(bytes: [UInt8](repeating: 0xff, count: Self.megabyte))
        }
        // A dns4 value declaring 1M bytes: over the 255-byte name limit.
        var bytes: [UInt8] = [0x36]
        Varint.encode(UInt64(Self.megabyte), into: &bytes)
        bytes += [UInt8](repeating: 0x61, count: Self.megabyte)
        #expect {
            try Multiaddr(bytes: bytes)
        } throws: { Self.isShort($0) }
        // A p2p value of 1M bytes.
        var p2p: [UInt8] = [0xa5, 0x03]
        Varint.encode(UInt64(Self.megabyte), into: &p2p)
        p2p += [UInt8](repeating: 0x12, count: Self.megabyte)
        #expect {
            try Multiaddr(bytes: p2p)
        } throws: { Self.isShort($0) }
    }

    @Test("a 1M-character ENR is refused by its size before decoding")
    func hugeENR() {
        #expect {
            try ENR("enr:" + String(repeating: "A", count: Self.megabyte))
        } throws: { error in
            Self.isShort(error) && (error as? ENRError)?.kind == .tooLarge
        }
    }

    @Test("RLP nested a megabyte deep is refused, not a stack overflow")
    func deepRLP() throws {
        // Each level is a long list header (0xfa + 3 length bytes) around the rest; the outer
        // 180k levels are canonical (their lengths need all three bytes).
        var bytes: [UInt8] = []
        let depth = 200_000
        bytes.reserveCapacity(depth * 4)
        for level in 0..<depth {
            let length = (depth - level - 1) * 4
            bytes += [0xfa, UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8)]
            bytes.append(UInt8(truncatingIfNeeded: length))
        }
        #expect {
            try RLP.decode(bytes)
        } throws: { Self.isShort($0) }
        // Shallow nesting still decodes.
        let shallow: RLP.Item = .list([.list([.list([.bytes([1, 2, 3])])])])
        #expect(try RLP.decode(RLP.encode(shallow)) == shallow)
    }

    @Test("a 1M-character peer text (multiaddr, ENR, whitespace) is refused with a short message")
    func hugeRemotePeer() {
        for text in [
            "/ip4/1.2.3.4/tcp/1/p2p/" + String(repeating: "1", count: Self.megabyte),
            "enr:" + String(repeating: "-", count: Self.megabyte),
            " " + String(repeating: "x", count: Self.megabyte),
            String(repeating: "x", count: Self.megabyte),
        ] {
            #expect {
                try RemotePeerInfo(parsing: text)
            } throws: { Self.isShort($0) }
        }
    }

    @Test("hex, base32 and base64url round-trip 256 KiB (single passes, no quadratic steps)")
    func linearCodecs() throws {
        let bytes = (0..<(Self.megabyte / 4)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Base32.decode(Substring(Base32.encode(bytes))) == bytes)
        #expect(try Base64URL.decode(Substring(Base64URL.encode(bytes))) == bytes)
    }

    @Test("excerpts keep short text whole and cut long text to its start and length")
    func excerpts() {
        #expect(Excerpt.of("short") == "short")
        let long = String(repeating: "é", count: 1000)
        #expect(Excerpt.of(long) == String(repeating: "é", count: 64) + "... (2000 bytes)")
        #expect(
            Excerpt.hex([UInt8](repeating: 0xab, count: 100)) == String(repeating: "ab", count: 32) + "... (100 bytes)")
        #expect(Excerpt.hex([UInt8](repeating: 0xab, count: 40)) == String(repeating: "ab", count: 40))
    }
}
