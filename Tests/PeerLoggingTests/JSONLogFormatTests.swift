import Logging
import Testing

@testable import PeerLogging

@Suite("JSONLogFormat")
struct JSONLogFormatTests {
    @Test("Fixed keys first, metadata flattened and sorted")
    func line() {
        let line = JSONLogFormat.line(
            time: .seconds(1_700_000_000) + .milliseconds(42), level: .info, label: "peerd", message: "listening",
            metadata: [
                "socket.path": "/run/peerd.sock",
                "conn": ["id": "7", "peer": ["uid": "1000"]],
                "services": ["a", "b"],
                "count": .stringConvertible(3),
                "level": "shadowed",
            ])
        #expect(
            line
                == #"{"time":"2023-11-14T22:13:20.042Z","level":"info","label":"peerd","message":"listening","#
                + #""conn.id":"7","conn.peer.uid":"1000","count":"3","metadata.level":"shadowed","#
                + #""services":["a","b"],"socket.path":"/run/peerd.sock"}"#)
    }

    @Test(
        "Strings are escaped as JSON requires",
        arguments: [
            ("plain", #""plain""#),
            ("quote \" and \\", #""quote \" and \\""#),
            ("line\nbreak\ttab\r", #""line\nbreak\ttab\r""#),
            ("\u{01}\u{1F}\u{7F}", #""\u0001\u001f\u007f""#),
            ("\u{08}\u{0C}", #""\b\f""#),
            ("ünïcödé ✓ 🚀", "\"ünïcödé ✓ 🚀\""),
        ])
    func escaping(text: String, expected: String) {
        var out = ""
        JSONLogFormat.appendString(text, to: &out)
        #expect(out == expected)
    }

    @Test(
        "ISO 8601 UTC times",
        arguments: [
            (Duration.zero, "1970-01-01T00:00:00.000Z"),
            (.seconds(951_782_400), "2000-02-29T00:00:00.000Z"),
            (.seconds(1_735_689_599) + .milliseconds(999), "2024-12-31T23:59:59.999Z"),
            (.seconds(4_102_444_800), "2100-01-01T00:00:00.000Z"),
            // Far past what Int64 nanoseconds hold: clamped, never a trap.
            (.seconds(Int64.max), "2262-04-11T23:47:16.854Z"),
            (.seconds(-5), "1970-01-01T00:00:00.000Z"),
        ])
    func iso8601(time: Duration, expected: String) {
        #expect(JSONLogFormat.iso8601(time) == expected)
    }
}
