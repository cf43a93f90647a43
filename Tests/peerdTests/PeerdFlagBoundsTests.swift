import Foundation
import PeerIdentity
import PeerTestSupport
import PeerWire
import Testing

/// Every numeric flag has a range: a value outside it is refused at start (exit 64, the flag and
/// its rule named, nothing bound), never a trap at start or later.
@Suite("peerd flag bounds")
struct PeerdFlagBoundsTests {
    /// Negative values use `--flag=value`: ArgumentParser reads a lone `-1` as a flag.
    static let refused: [(flags: [String], named: String)] = [
        (["--dial-timeout", "nan"], "--dial-timeout"),
        (["--dial-timeout", "1e17"], "--dial-timeout"),
        (["--dial-timeout", "0"], "--dial-timeout"),
        (["--dial-timeout=-1"], "--dial-timeout"),
        (["--initial-backoff", "1e21"], "--initial-backoff"),
        (["--initial-backoff=-inf"], "--initial-backoff"),
        (["--prune-interval", "inf"], "--prune-interval"),
        (["--prune-interval", "0.5"], "--prune-interval"),
        (["--discovery-request-interval", "0.5"], "--discovery-request-interval"),
        (["--discovery-request-interval", "nan"], "--discovery-request-interval"),
        (["--discovery-request-interval", "1e300"], "--discovery-request-interval"),
        (["--shutdown-grace", "1e30"], "--shutdown-grace"),
        (["--shutdown-grace", "nan"], "--shutdown-grace"),
        (["--host-session-timeout", "1e300"], "--host-session-timeout"),
        (["--host-session-timeout", "0"], "--host-session-timeout"),
        (["--max-connections", "4000000000000000000"], "--max-connections"),
        (["--max-connections", "5000000000"], "--max-connections"),
        (["--max-connections", "0"], "--max-connections"),
        (["--ip-colocation-limit", "5000000000"], "--ip-colocation-limit"),
        (["--ip-colocation-limit=-1"], "--ip-colocation-limit"),
        (["--max-failed-attempts", "1", "--backoff-factor", "5000000000"], "--backoff-factor"),
        (["--backoff-factor", "0"], "--backoff-factor"),
        (["--max-failed-attempts", "1000"], "--max-failed-attempts"),
        (["--peer-store-capacity", "9223372036854775807"], "--peer-store-capacity"),
        (["--max-frame-size", "9223372036854775807"], "--max-frame-size"),
        (["--max-concurrent-streams", "5000000000"], "--max-concurrent-streams"),
        (["--max-queued-messages", "9223372036854775807"], "--max-queued-messages"),
        (["--allow-uid", "4294967295"], "--allow-uid"),
        (["--peer-store-expiry", "nan"], "--peer-store-expiry"),
        (["--peer-store-expiry", "1"], "--peer-store-expiry"),
        (["--peer-store-expiry", "1e30"], "--peer-store-expiry"),
        (["--no-persistence", "--peer-store-path", "/tmp/x.db"], "--no-persistence"),
        (["--peer-store-path", ""], "--peer-store-path"),
        (["--dial-oversubscription", "99"], "--dial-oversubscription"),
        (["--dial-oversubscription", "9223372036854775807"], "--dial-oversubscription"),
        (["--shard-coverage-floor=-1"], "--shard-coverage-floor"),
        // The floors must fit in the connection limit: 4 shards x 20 peers > 50.
        (
            [
                "--cluster-id", "1", "--shard", "0", "--shard", "1", "--shard", "2", "--shard", "3",
                "--shard-coverage-floor", "20",
            ], "--shard-coverage-floor"
        ),
    ]

    @Test("a flag out of its range is refused at start, naming the flag", arguments: refused)
    func refusedAtStart(flags: [String], named: String) throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = "\(directory)/s.sock"
        let peerd = try ChildProcess.run(
            PeerdProcess.binary.path, ["--socket", socket, "--no-metrics"] + flags, timeout: .seconds(30))
        // 64 is ArgumentParser's usage error: a refusal, not a trap (SIGILL would read 132).
        #expect(peerd.status == 64, "peerd \(flags) exited with \(peerd.status):\n\(peerd.stderr)")
        #expect(peerd.stderr.contains("\(named): "), "\(peerd.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test("every problem is reported at once")
    func allProblemsAtOnce() throws {
        let peerd = try ChildProcess.run(
            PeerdProcess.binary.path,
            ["--no-metrics", "--dial-timeout", "nan", "--max-connections", "0", "--shutdown-grace=-1"])
        #expect(peerd.status == 64)
        for flag in ["--dial-timeout", "--max-connections", "--shutdown-grace"] {
            #expect(peerd.stderr.contains("\(flag): "), "\(peerd.stderr)")
        }
    }

    @Test("--help shows each numeric flag's range")
    func helpShowsRanges() throws {
        let help = try ChildProcess.run(PeerdProcess.binary.path, ["--help"])
        #expect(help.status == 0)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for range in [
            "(1 to 1000000)", "(0.01 to 3600 s)", "(0.001 to 604800 s)", "(1 to 604800 s)", "(1 to 86400 s)",
            "(0 to 3600 s)", "(1024 to 16777216)", "(1 to 65536)", "(16 to 1048576)", "(1 to 1000)", "(1 to 100)",
        ] {
            #expect(text.contains(range), "--help lacks \(range)")
        }
    }

    @Test("the largest valid settings start, and GetConfiguration reports them exactly")
    func largestSettingsReported() throws {
        let peerd = try PeerdProcess(arguments: [
            "--max-connections", "1000000", "--ip-colocation-limit", "1000000", "--peer-store-capacity", "10000000",
            "--max-failed-attempts", "1", "--backoff-factor", "1000", "--dial-timeout", "3600",
            "--initial-backoff", "604800", "--prune-interval", "604800", "--host-session-timeout", "86400",
            "--shutdown-grace", "3600", "--max-concurrent-streams", "65536", "--dial-oversubscription", "1000",
            "--no-reason-cooldowns", "--cluster-id", "1", "--shard", "0", "--shard-coverage-floor", "1000",
            "--discovery-request-interval", "604800", "--no-dial-spread",
        ])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let configuration: PeerManagerV1.Configuration = try admin.call(
            PeerManagerV1.PeerManager.getConfiguration, PeerManagerV1.GetConfigurationRequest())
        #expect(configuration.maxConnections == 1_000_000)
        #expect(configuration.ipColocationLimit == 1_000_000)
        #expect(configuration.peerStoreCapacity == 10_000_000)
        #expect(configuration.backoffFactor == 1000)
        #expect(configuration.maxFailedAttempts == 1)
        #expect(configuration.dialTimeoutMs == 3_600_000)
        #expect(configuration.initialBackoffMs == 604_800_000)
        #expect(configuration.pruneIntervalMs == 604_800_000)
        #expect(configuration.dialOversubscriptionPercent == 1000)
        #expect(configuration.shardCoverageFloor == 1000)
        #expect(configuration.reasonCooldowns == false)
        #expect(configuration.discoveryRequestIntervalMs == 604_800_000)
        #expect(configuration.dialSpread == false)
        // Still serving.
        #expect(try SocketClient(path: peerd.socketPath).healthCheck(1) == .serving)
    }
}

@Suite("peerd policy defaults")
struct PeerdPolicyDefaultsTests {
    @Test("GetConfiguration reports the policy settings beyond nwaku at their defaults, and the floor in force")
    func policyDefaults() throws {
        // Two shards: 4 x 2 fits in 50 connections, so the floor is gossipsub's D_low.
        let peerd = try PeerdProcess(arguments: ["--cluster-id", "1", "--shard", "0", "--shard", "1"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let configuration: PeerManagerV1.Configuration = try admin.call(
            PeerManagerV1.PeerManager.getConfiguration, PeerManagerV1.GetConfigurationRequest())
        #expect(configuration.dialOversubscriptionPercent == 300)
        #expect(configuration.shardCoverageFloor == 4)
        #expect(configuration.reasonCooldowns == true)
        #expect(configuration.discoveryRequestIntervalMs == 30_000)
        #expect(configuration.dialSpread == true)
        // Without shards there is nothing to keep covered.
        let bare = try PeerdProcess(arguments: ["--discovery-request-interval", "0"])
        let plain: PeerManagerV1.Configuration = try PeerManagerClient(socketPath: bare.socketPath).call(
            PeerManagerV1.PeerManager.getConfiguration, PeerManagerV1.GetConfigurationRequest())
        #expect(plain.shardCoverageFloor == 0)
        #expect(plain.discoveryRequestIntervalMs == 0)  // 0: never asks
    }
}
