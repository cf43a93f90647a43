/// What error messages show of input: all of it when short, else its start and its length.
///
/// Text reaching PeerIdentity comes from clients and hosts; a message that repeats a 1 MB peer id
/// costs a megabyte per error and floods logs. Every parse error passes its `part` through here.
enum Excerpt {
    /// Input up to this many bytes is shown whole (a `/p2p/<peer id>` or `/onion3/...` step fits).
    static let wholeLimit = 80
    /// Longer input shows this many characters, then its length.
    static let prefixLength = 64

    static func of(_ text: some StringProtocol) -> String {
        let count = text.utf8.count
        guard count > wholeLimit else { return String(text) }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: text.unicodeScalars.prefix(prefixLength))
        return "\(String(shown))... (\(count) bytes)"
    }

    /// Bytes as hex: all of them when short, else the first ones and the count.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        guard bytes.count * 2 > wholeLimit else { return Hex.encode(Array(bytes)) }
        return "\(Hex.encode(Array(bytes.prefix(prefixLength / 2))))... (\(bytes.count) bytes)"
    }
}
