import PeerCore
import PeerIdentity
import PeerTrace
import Testing

@Suite("Trace decoder: hostile input")
struct TraceDecoderErrorTests {
    static let header = String(decoding: try! TraceEncoder().line(TraceFixtures.header), as: UTF8.self)

    static func decode(_ text: String, options: TraceDecoder.Options = .init()) throws(TraceDecodingError) -> HostTrace
    {
        try TraceDecoder(options: options).decode(Array(text.utf8))
    }

    @Test(
        "a bad line is refused with its line number",
        arguments: [
            ("", 1, "empty"),
            ("{\"trace\":\"other\",\"version\":1}\n", 1, "not a peerd host trace"),
            (
                #"{"trace":"peerd-host-trace","version":2,"started":"2026-01-01T00:00:00Z","max_connections":1}"#, 1,
                "newer"
            ),
            (
                #"{"trace":"peerd-host-trace","version":0,"started":"2026-01-01T00:00:00Z","max_connections":1}"#, 1,
                "version"
            ),
            (
                #"{"trace":"peerd-host-trace","version":1,"started":"2026-13-01T00:00:00Z","max_connections":1}"#, 1,
                "started"
            ),
            (#"{"trace":"peerd-host-trace","version":1,"started":"2026-01-01T00:00:00Z"}"#, 1, "max_connections"),
            (header + "not json\n", 2, "not a trace record"),
            (header + #"{"t_ms":1,"kind":"teleport"}"# + "\n", 2, "unknown kind"),
            (header + #"{"kind":"gap","dropped":1}"# + "\n", 2, "t_ms"),
            (header + #"{"t_ms":-1,"kind":"gap","dropped":1}"# + "\n", 2, "t_ms"),
            (
                header + #"{"t_ms":5,"kind":"gap","dropped":1}"# + "\n" + #"{"t_ms":4,"kind":"gap","dropped":1}"#, 3,
                "before the previous"
            ),
            (header + "\n" + #"{"t_ms":4,"kind":"gap","dropped":1}"#, 2, "empty line"),
            (
                header + #"{"t_ms":1,"kind":"event","event":"connection_closed","connection":-3}"#, 2,
                "not a trace record"
            ),
            (header + #"{"t_ms":1,"kind":"event","event":"connection_closed"}"#, 2, "connection: missing"),
            (
                header
                    + #"{"t_ms":1,"kind":"event","event":"stream_opened","peer":"nope","protocol":"x","direction":"inbound"}"#,
                2, "peer"
            ),
            (
                header
                    + #"{"t_ms":1,"kind":"command","id":1,"command":"request_discovery","cluster":70000,"shard":1,"wanted":1}"#,
                2, "not a trace record"
            ),
            (
                header
                    + #"{"t_ms":1,"kind":"command","id":1,"command":"dial","peer":"x","addresses":[],"timeout_ms":1}"#,
                2,
                "peer"
            ),
            (header + #"{"t_ms":1,"kind":"command","id":1,"command":"self_destruct"}"#, 2, "unknown command"),
            (header + #"{"t_ms":1,"kind":"session","id":1,"session":"pause"}"#, 2, "session"),
            (header + #"{"t_ms":1,"kind":"peer_added","peer":"x"}"#, 2, "peer"),
            (header + #"{"t_ms":1,"kind":"event","event":"warp"}"#, 2, "unknown event"),
        ])
    func refused(text: String, line: Int, message: String) {
        #expect {
            try Self.decode(text)
        } throws: { error in
            guard let error = error as? TraceDecodingError else { return false }
            return error.line == line && error.description.contains(message)
        }
    }

    @Test("unknown kinds are skipped and counted when asked")
    func skipUnknown() throws {
        let text =
            Self.header + #"{"t_ms":1,"kind":"teleport"}"# + "\n" + #"{"t_ms":2,"kind":"gap","dropped":3}"# + "\n"
            + #"{"t_ms":3,"kind":"future","x":[1,2]}"# + "\n"
        let trace = try Self.decode(text, options: .init(skipUnknownKinds: true))
        #expect(trace.skippedUnknown == 2)
        #expect(trace.entries == [TraceEntry(milliseconds: 2, record: .gap(dropped: 3))])
    }

    @Test("a line over the bound is refused without reading past it")
    func lineBound() {
        let long =
            Self.header + #"{"t_ms":1,"kind":"peer_added","agent":""# + String(repeating: "a", count: 5000) + "\"}\n"
        #expect {
            try Self.decode(long, options: .init(maxLineBytes: 4096))
        } throws: { error in
            (error as? TraceDecodingError) == TraceDecodingError(line: 2, message: "longer than 4096 bytes")
        }
    }

    @Test("deeply nested or huge numbers are errors, not traps")
    func hostileJSON() {
        let nested = Self.header + #"{"t_ms":1,"kind":"gap","dropped":"# + String(repeating: "[", count: 10000) + "\n"
        #expect(throws: TraceDecodingError.self) { try Self.decode(nested) }
        let huge = Self.header + #"{"t_ms":99999999999999999999999,"kind":"gap","dropped":1}"#
        #expect(throws: TraceDecodingError.self) { try Self.decode(huge) }
    }
}
