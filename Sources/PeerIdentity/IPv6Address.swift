/// An IPv6 address: sixteen bytes, written in the RFC 5952 canonical text form.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps exactly sixteen bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses RFC 4291 text: eight groups of up to four hex digits, at most one `::`, and an
    /// optional dotted IPv4 tail (`::ffff:1.2.3.4`). Zone suffixes (`%eth0`) are refused.
    public init?(_ text: some StringProtocol) {
        // INET6_ADDRSTRLEN - 1: the longest form, eight full groups with a dotted tail.
        guard text.utf8.count <= 45 else { return nil }
        let halves = String(text).splitAroundDoubleColon()
        guard halves.count <= 2, let head = Self.groups(halves[0], allowIPv4Tail: halves.count == 1) else {
            return nil
        }
        var tail: [UInt16] = []
        if halves.count == 2 {
            guard let second = Self.groups(halves[1], allowIPv4Tail: true) else { return nil }
            tail = second
            // "::" stands for at least one zero group.
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard head.count == 8 else { return nil }
        }
        let words = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        self.bytes = words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    /// Splits colon-separated hex groups; an IPv4 tail counts as two groups.
    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowIPv4Tail, part.contains(".") {
                guard let v4 = IPv4Address(part) else { return nil }
                words.append(UInt16(v4.bytes[0]) << 8 | UInt16(v4.bytes[1]))
                words.append(UInt16(v4.bytes[2]) << 8 | UInt16(v4.bytes[3]))
                continue
            }
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy({ Hex.isDigit($0) }),
                let word = UInt16(part, radix: 16)
            else { return nil }
            words.append(word)
        }
        return words
    }

    /// RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups
    /// (the first one on a tie) becomes `::`. An IPv4-mapped address ends in dotted decimal
    /// (`::ffff:1.2.3.4`, RFC 5952 section 5), and so does an IPv4-compatible one whose first
    /// zero run is exactly six groups (`::1.2.3.4`): the same text as glibc's inet_ntop.
    public var description: String {
        let words = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard words[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && words[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        func hex(_ range: Range<Int>) -> String {
            words[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        if bestStart == 0, bestLength == 6 || (bestLength == 5 && words[5] == 0xffff) {
            let v4 = bytes[12...].map { String($0) }.joined(separator: ".")
            return bestLength == 6 ? "::\(v4)" : "::ffff:\(v4)"
        }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

extension String {
    /// Splits around `::` occurrences (a tiny helper so PeerIdentity needs no Foundation).
    fileprivate func splitAroundDoubleColon() -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<index])
                index = self.index(after: next)
                start = index
                // ":::" is malformed; leave the stray colon to fail group parsing.
                continue
            }
            index = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}
