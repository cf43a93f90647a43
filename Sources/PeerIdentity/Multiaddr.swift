/// A multiaddr such as `/ip4/1.2.3.4/tcp/60000/p2p/16Uiu2...`.
///
/// CONTRACT PLACEHOLDER (issue 4 replaces the internals, keeping this public API):
/// `init(_ text:) throws`, `description` (canonical text), `Hashable`, `Sendable`, `ipAddress`.
public struct Multiaddr: Hashable, Sendable, CustomStringConvertible {
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    private let text: String

    public init(_ text: String) throws {
        guard text.hasPrefix("/"), text.count > 1 else {
            throw ParseError(description: "multiaddr must start with '/': \(text)")
        }
        self.text = text
    }

    public var description: String { text }

    /// The IP address of the first ip4/ip6 component, as text (used by the colocation limit).
    public var ipAddress: String? {
        let parts = text.split(separator: "/")
        guard parts.count >= 2, parts[0] == "ip4" || parts[0] == "ip6" else { return nil }
        return String(parts[1])
    }
}
