import PeerCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("defaults are nwaku's and valid")
    func defaults() throws {
        let configuration = EngineConfiguration.defaults
        try configuration.validate()
        #expect(configuration.maxConnections == 50)
        #expect(configuration.effectiveCapacity == 250)
        #expect(configuration.dialTimeout == .seconds(10))
        #expect(configuration.maxParallelDials == 10)
        #expect(configuration.colocationLimit == 5)
    }

    @Test("cant have more max connections than peerstore size")
    func capacityBelowMaxConnections() {
        var configuration = EngineConfiguration.defaults
        configuration.maxConnections = 25
        configuration.peerStoreCapacity = 20
        #expect(throws: ConfigurationError(problems: [.capacityBelowMaxConnections(capacity: 20, maxConnections: 25)]))
        {
            try configuration.validate()
        }
    }

    @Test(
        "Fails if max backoff > 1 week",
        arguments: [(150, false), (10, false), (8, false), (7, true), (5, true)])
    func maxBackoff(maxFailedAttempts: Int, valid: Bool) {
        // 120 s x 4^(n-1): n=5 is 8.5 hours, n=7 is 5.7 days, n=8 is 22.8 days, n=150 overflows.
        var configuration = EngineConfiguration.defaults
        configuration.maxFailedAttempts = maxFailedAttempts
        let problems = Self.problems(configuration)
        #expect(problems.isEmpty == valid)
        if !valid && maxFailedAttempts <= 100 {
            #expect(problems.contains { if case .backoffTooLong = $0 { true } else { false } })
        }
    }

    @Test("backoff overflow is reported, not a crash")
    func backoffOverflow() {
        var configuration = EngineConfiguration.defaults
        configuration.maxFailedAttempts = 100
        configuration.backoffFactor = 1000
        #expect(
            Self.problems(configuration).contains(
                .backoffTooLong(failures: 100, backoff: nil, maximum: .seconds(604_800))))
    }

    @Test(
        "relay:service ratio must be X:Y summing to 100",
        arguments: ["50:40", "abc", "60", "-10:110", "60:40:0", ":100", ""])
    func invalidRatio(text: String) {
        var configuration = EngineConfiguration.defaults
        configuration.relayServiceRatio = text
        #expect(Self.problems(configuration).contains(.invalidRelayServiceRatio(text)))
    }

    @Test("relay share below gossipsub dHigh is refused (nwaku returns nil)")
    func tooFewRelayPeers() {
        var configuration = EngineConfiguration.defaults
        configuration.maxConnections = 10  // 60 % -> 6 relay peers
        #expect(Self.problems(configuration) == [.tooFewRelayPeers(relayPeers: 6, minimum: 8)])
    }

    @Test("every problem is gathered into one error")
    func gathersAllProblems() {
        var configuration = EngineConfiguration.defaults
        configuration.peerStoreCapacity = 1
        configuration.relayServiceRatio = "1:1"
        configuration.maxFailedAttempts = 10
        configuration.colocationLimit = -1
        let problems = Self.problems(configuration)
        #expect(problems.count == 4)
        let text = (try? configuration.validate()).map { "" } ?? "\(ConfigurationError(problems: problems))"
        #expect(text.contains("capacity: 1, maxConnections: 50"))
        #expect(text.contains("actual: \"1:1\""))
    }

    @Test("sharded management needs a cluster and shards")
    func shardedNeedsShards() {
        var configuration = EngineConfiguration.defaults
        configuration.shardedPeerManagement = true
        #expect(Self.problems(configuration) == [.shardedManagementWithoutShards])
        configuration.clusterID = 1
        configuration.shards = [0, 1024]
        #expect(Self.problems(configuration) == [.outOfRange(setting: "shards", value: "1024", requirement: "<= 1023")])
    }

    @Test("the engine refuses an invalid configuration")
    func engineValidates() {
        #expect(throws: ConfigurationError.self) {
            _ = try PeerEngine(configuration: .defaults { $0.maxConnections = 0 }, selfID: me)
        }
    }

    static func problems(_ configuration: EngineConfiguration) -> [ConfigurationError.Problem] {
        do {
            try configuration.validate()
            return []
        } catch {
            return error.problems
        }
    }
}
