import Foundation
import PeerWire

/// How the human tables spell peerd's values: short enough for a terminal line, never ambiguous
/// for what an operator compares (ids keep both ends; `--wide` prints them whole).
enum HumanText {
    /// A peer id with its middle elided: `16Uiu2HAm…o97bUZ`. Ids differ in their tail (the key's
    /// hash) and their head says the key type, so both ends stay; short strings are kept whole.
    static func peerID(_ id: String, wide: Bool = false) -> String {
        guard !wide, id.count > 18 else { return id }
        return "\(id.prefix(9))…\(id.suffix(6))"
    }

    /// Protocols without the `/vac/waku/` prefix every Waku protocol shares, comma-separated;
    /// `-` for none.
    static func protocols(_ protocols: [String]) -> String {
        guard !protocols.isEmpty else { return "-" }
        let prefix = "/vac/waku/"
        return protocols.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }.joined(separator: ",")
    }

    /// Relay shards as `cluster/shard,shard`: what the metadata protocol reported, else the ENR's;
    /// `-` when neither is known.
    static func shards(_ peer: PeerManagerV1.Peer) -> String {
        guard let known = peer.metadataShards ?? peer.enrShards else { return "-" }
        return shards(known)
    }

    static func shards(_ shards: PeerManagerV1.RelayShards) -> String {
        "\(shards.clusterID)/"
            + (shards.shardIDs.isEmpty ? "-" : shards.shardIDs.map(String.init).joined(separator: ","))
    }

    /// A duration in its two largest units: `850ms`, `45s`, `2m05s`, `1h04m`, `3d02h`.
    static func duration(milliseconds: Int64) -> String {
        let ms = max(milliseconds, 0)
        if ms < 1000 { return "\(ms)ms" }
        let seconds = ms / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + twoDigits(seconds % 60) + "s" }
        if seconds < 86400 { return "\(seconds / 3600)h" + twoDigits(seconds / 60 % 60) + "m" }
        return "\(seconds / 86400)d" + twoDigits(seconds / 3600 % 24) + "h"
    }

    /// A Unix time in milliseconds as UTC ISO 8601 with milliseconds, `2026-11-30T01:02:03.456Z`.
    static func timestamp(milliseconds: Int64) -> String {
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        // Negative remainders (times before 1970) borrow a second, so the fraction stays 0-999.
        let (whole, fraction) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1000) : seconds
        var time = time_t(clamping: whole)
        var parts = tm()
        // ISO 8601's four-digit years only; anything else (a corrupt time) prints as it came.
        guard gmtime_r(&time, &parts) != nil, (0...9999).contains(Int(parts.tm_year) + 1900) else {
            return "\(milliseconds)ms"
        }
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }

    /// When policy may dial a peer again, as nwaku's backoff has it (`initial × factor^(n-1)`
    /// after the n-th consecutive failure, never from `max_failed_attempts` on): `-` without
    /// failures, `now` once the backoff has passed, `in 2m05s` before, `never` after too many.
    static func nextRetry(
        failedDials: UInt32, lastFailedDialMs: Int64?, configuration: PeerManagerV1.Configuration, nowMs: Int64
    ) -> String {
        guard failedDials > 0 else { return "-" }
        guard failedDials < configuration.maxFailedAttempts else { return "never" }
        var wait = Int64(clamping: configuration.initialBackoffMs)
        // A factor of 1 leaves the wait as it is: no loop of up to 2^32 rounds for it.
        for _ in 1..<(configuration.backoffFactor > 1 ? failedDials : 1) {
            let (product, overflow) = wait.multipliedReportingOverflow(by: Int64(configuration.backoffFactor))
            // Past Int64 milliseconds is past any clock this tool will run on.
            if overflow { return "never" }
            wait = product
        }
        let (due, overflow) = (lastFailedDialMs ?? 0).addingReportingOverflow(wait)
        if overflow { return "never" }
        return due <= nowMs ? "now" : "in \(duration(milliseconds: due - nowMs))"
    }

    /// The current Unix time in milliseconds.
    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// Text from peerd (and through it from hosts and remote peers: agents, ENRs, error
    /// messages) made safe for a terminal: control and format characters (escape sequences,
    /// newlines that would forge lines, bidi overrides) become visible `\x1b` / `\u{202e}`
    /// escapes. Everything else is kept.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            result += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
        }
        return result
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format: true
        default: false
        }
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
