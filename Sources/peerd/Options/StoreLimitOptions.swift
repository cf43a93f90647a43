import ArgumentParser
import PeerCore

/// Bounds on what clients and the host can make the peer store hold (``EngineLimits``).
struct StoreLimitOptions: ParsableArguments {
    @Option(
        help: """
            Addresses kept per peer (1 to 1024). AddPeer with more is INVALID_ARGUMENT; identify \
            with more keeps the first ones.
            """)
    var maxAddressesPerPeer: Int = EngineLimits().maxAddressesPerPeer

    @Option(
        help: """
            Protocols kept per peer, and service slots per peer (1 to 1024; go-libp2p's protocol \
            book allows 128). AddPeer with more is INVALID_ARGUMENT; identify keeps the first ones.
            """)
    var maxProtocolsPerPeer: Int = EngineLimits().maxProtocolsPerPeer

    @Option(help: "Distinct protection tags on one peer (1 to 1024); more is RESOURCE_EXHAUSTED.")
    var maxProtectionTagsPerPeer: Int = EngineLimits().maxProtectionTagsPerPeer

    @Option(help: "Distinct protection tags in total, over all peers (1 to 1000000); more is RESOURCE_EXHAUSTED.")
    var maxProtectionTags: Int = EngineLimits().maxProtectionTags

    @Option(help: "Longest protection tag in bytes (1 to 1024); longer is INVALID_ARGUMENT.")
    var maxProtectionTagBytes: Int = EngineLimits().maxProtectionTagBytes

    var limits: EngineLimits {
        var limits = EngineLimits()
        limits.maxAddressesPerPeer = maxAddressesPerPeer
        limits.maxProtocolsPerPeer = maxProtocolsPerPeer
        limits.maxProtectionTagsPerPeer = maxProtectionTagsPerPeer
        limits.maxProtectionTags = maxProtectionTags
        limits.maxProtectionTagBytes = maxProtectionTagBytes
        return limits
    }

    /// `configuration` with these limits.
    func apply(to configuration: EngineConfiguration) -> EngineConfiguration {
        var configuration = configuration
        configuration.limits = limits
        return configuration
    }

    /// Every value out of its range, naming the flag.
    func problems() -> [String] {
        let checks: [(EngineLimits.Kind, Int, ClosedRange<Int>)] = [
            (.addressesPerPeer, maxAddressesPerPeer, EngineLimits.addressRange),
            (.protocolsPerPeer, maxProtocolsPerPeer, EngineLimits.protocolRange),
            (.protectionTagsPerPeer, maxProtectionTagsPerPeer, EngineLimits.tagsPerPeerRange),
            (.protectionTags, maxProtectionTags, EngineLimits.tagsRange),
            (.protectionTagBytes, maxProtectionTagBytes, EngineLimits.tagBytesRange),
        ]
        return checks.compactMap { kind, value, range in
            range.contains(value)
                ? nil : "\(kind.flag): must be \(range.lowerBound)...\(range.upperBound) (actual: \(value))"
        }
    }
}
