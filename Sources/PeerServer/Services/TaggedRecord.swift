import PeerCore

/// A stored peer as a reply shows it: its record and its eviction-protection tags, both taken
/// under the engine lock, so the reply can be built after it.
struct TaggedRecord: Sendable {
    var record: PeerRecord
    /// Tag -> how many holders set it (``EvictionProtection/tags(of:)``).
    var tags: [String: Int]
}
